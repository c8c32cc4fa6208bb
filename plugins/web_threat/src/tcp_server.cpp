#include "tcp_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "endpoint.hpp"

namespace vigil::web_threat {

namespace {

constexpr size_t kStackBytes = 256 * 1024;

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

struct Job {
    int fd;
    const ConnectionContext* ctx;
    ServerCounters* counters;
};

void* run_job(void* arg) {
    Job* job = static_cast<Job*>(arg);
    serve_connection(job->fd, *job->ctx);
    job->counters->active.fetch_sub(1);
    delete job;
    return nullptr;
}

// Resets the connection at once (SO_LINGER 0): the client sees a refusal,
// not a hang.
void reset(int fd) {
    const linger l{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

void start_job(int fd, const ConnectionContext& ctx, ServerCounters& counters) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, kStackBytes);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    counters.active.fetch_add(1);
    auto* job = new Job{fd, &ctx, &counters};
    pthread_t t;
    if (pthread_create(&t, &attr, run_job, job) != 0) {
        counters.active.fetch_sub(1);
        counters.refused_busy.fetch_add(1);
        delete job;
        reset(fd);
    }
    pthread_attr_destroy(&attr);
}

}  // namespace

int listen_tcp(const char* address, uint16_t port) {
    const int fd = bound_socket(address, port, SOCK_STREAM);
    if (fd >= 0 && ::listen(fd, 1024) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int bind_udp(const char* address, uint16_t port) { return bound_socket(address, port, SOCK_DGRAM); }

void serve_tcp(const std::vector<int>& listeners, const ConnectionContext& ctx, uint32_t max_connections,
               ServerCounters& counters) {
    std::vector<pollfd> fds;
    for (int l : listeners) fds.push_back({l, POLLIN, 0});
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0) continue;
        for (const auto& p : fds) {
            if (!(p.revents & POLLIN)) continue;
            const int c = ::accept4(p.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (c < 0) {
                // Out of descriptors: the pending connection stays queued and
                // poll would report it at once again; give the others time to end.
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) ::usleep(10000);
                continue;
            }
            counters.accepted.fetch_add(1);
            if (counters.active.load() >= max_connections) {
                counters.refused_busy.fetch_add(1);
                reset(c);
                continue;
            }
            start_job(c, ctx, counters);
        }
    }
}

}  // namespace vigil::web_threat
