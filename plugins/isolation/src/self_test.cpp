#include "self_test.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace vigil::isolation {

std::string ProbeTarget::text() const {
    if (address.find(':') != std::string::npos) return "[" + address + "]:" + std::to_string(port);
    return address + ":" + std::to_string(port);
}

std::string tcp_connect(const ProbeTarget& t, std::chrono::milliseconds timeout) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, t.address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(t.port);
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, t.address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(t.port);
        len = sizeof *v6;
    } else {
        return "not a numeric address";
    }
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::strerror(errno);
    std::string err;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        if (errno != EINPROGRESS) {
            err = std::strerror(errno);
        } else {
            pollfd p{fd, POLLOUT, 0};
            int n = ::poll(&p, 1, int(timeout.count()));
            if (n == 0) {
                err = "timed out";
            } else if (n < 0) {
                err = std::strerror(errno);
            } else {
                int so = 0;
                socklen_t sl = sizeof so;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl);
                if (so != 0) err = std::strerror(so);
            }
        }
    }
    ::close(fd);
    return err;
}

ProbeResult probe_any(const std::vector<ProbeTarget>& targets, std::chrono::milliseconds budget,
                      std::stop_token stop) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + budget;
    ProbeResult r;
    if (targets.empty()) {
        r.detail = "no central node address to probe";
        return r;
    }
    std::string last_errors;
    while (!stop.stop_requested()) {
        last_errors.clear();
        for (const auto& t : targets) {
            if (stop.stop_requested()) break;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            // Short attempts keep stop() fast and retry through transient loss.
            const auto slice =
                std::clamp(left, std::chrono::milliseconds(50), std::chrono::milliseconds(500));
            const std::string err = tcp_connect(t, slice);
            if (err.empty()) {
                r.reachable = true;
                r.detail = "connected to " + t.text();
                return r;
            }
            if (!last_errors.empty()) last_errors += "; ";
            last_errors += t.text() + ": " + err;
        }
        if (clock::now() >= deadline) break;
        // Refused connections return at once; do not spin.
        for (int i = 0; i < 5 && !stop.stop_requested() && clock::now() < deadline; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
    r.detail = stop.stop_requested() ? "stopped" : last_errors;
    return r;
}

}  // namespace vigil::isolation
