#include "tcp_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "endpoint.hpp"

namespace vigil::web_threat {

namespace {

int bound_socket(const char* address, uint16_t port, int type) {
    Endpoint e;
    auto ip = common::parse_ip_address(address);
    if (!ip) {
        errno = EINVAL;
        return -1;
    }
    e.ip = *ip;
    e.port = port;
    sockaddr_storage sa;
    const socklen_t len = sockaddr_of(e, sa);
    const int fd = ::socket(sa.ss_family, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (sa.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

}  // namespace

int listen_tcp(const char* address, uint16_t port) {
    // Non-blocking: every event loop polls it, and one that loses the race gets EAGAIN.
    const int fd = bound_socket(address, port, SOCK_STREAM | SOCK_NONBLOCK);
    if (fd >= 0 && ::listen(fd, 1024) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int bind_udp(const char* address, uint16_t port) { return bound_socket(address, port, SOCK_DGRAM); }

unsigned event_loop_count() { return std::clamp(std::thread::hardware_concurrency(), 1u, 4u); }

void serve_tcp(const std::vector<Listener>& listeners, uint32_t max_connections, ServerCounters& counters,
               size_t pipe_bytes) {
    std::vector<std::unique_ptr<EventLoop>> loops;
    for (unsigned i = 0; i < event_loop_count(); ++i)
        loops.push_back(std::make_unique<EventLoop>(listeners, max_connections, counters, pipe_bytes));
    for (size_t i = 1; i < loops.size(); ++i) std::thread([l = loops[i].get()] { l->run(); }).detach();
    loops[0]->run();
    std::abort();  // run() without a stop flag does not return
}

}  // namespace vigil::web_threat
