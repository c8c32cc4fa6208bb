#pragma once
// Loopback TCP sockets for tests: 127.0.0.1 on a port the kernel picks, so a test
// sends nothing off the machine and never collides with another on a fixed port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace vigil::testing {

// 127.0.0.1:port, to connect() to.
inline sockaddr_in loopback_address(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

// A TCP socket bound to 127.0.0.1 on a free port (listening when backlog > 0), its
// port stored in `port`. Returns the fd, or -1 with errno set when a call failed.
inline int loopback_tcp_socket(uint16_t& port, int backlog = 0) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a = loopback_address(0);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        (backlog > 0 && ::listen(fd, backlog) != 0) ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        const int err = errno;
        ::close(fd);
        errno = err;
        return -1;
    }
    port = ntohs(a.sin_port);
    return fd;
}

}  // namespace vigil::testing
