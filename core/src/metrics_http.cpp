#include "metrics_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <vigil/common/prometheus.hpp>

#include "log.hpp"

namespace vigil::core {

bool split_host_port(const std::string& a, std::string& host, uint16_t& port) {
    size_t colon;
    if (!a.empty() && a[0] == '[') {
        auto close = a.find(']');
        if (close == std::string::npos || close + 1 >= a.size() || a[close + 1] != ':') return false;
        host = a.substr(1, close - 1);
        colon = close + 1;
    } else {
        colon = a.rfind(':');
        if (colon == std::string::npos || colon == 0) return false;
        host = a.substr(0, colon);
    }
    std::string p = a.substr(colon + 1);
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
    unsigned long v = std::stoul(p);
    if (v > 65535) return false;
    port = uint16_t(v);
    return true;
}

bool is_loopback_literal(const std::string& host) {
    in_addr a4{};
    if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    in6_addr a6{};
    return ::inet_pton(AF_INET6, host.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

MetricsHttpServer::~MetricsHttpServer() { stop(); }

bool MetricsHttpServer::start(const std::string& address, std::string& error) {
    std::string host;
    uint16_t port = 0;
    if (!split_host_port(address, host, port) || !is_loopback_literal(host)) {
        error = "metrics listener '" + address + "' must be a loopback address and port";
        return false;
    }
    sockaddr_storage ss{};
    socklen_t len;
    const bool v6 = host.find(':') != std::string::npos;
    if (v6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        ::inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr);
        len = sizeof *s6;
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        ::inet_pton(AF_INET, host.c_str(), &s4->sin_addr);
        len = sizeof *s4;
    }
    listen_fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (listen_fd_ < 0 || ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(listen_fd_, 16) != 0 ||
        ::pipe2(wake_, O_CLOEXEC) != 0) {
        error = "metrics listener " + address + ": " + std::strerror(errno);
        stop();
        return false;
    }
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &blen);
    port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                     : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    thread_ = std::thread([this] { loop(); });
    return true;
}

void MetricsHttpServer::stop() {
    if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
    if (thread_.joinable()) thread_.join();
    for (int* fd : {&listen_fd_, &wake_[0], &wake_[1]})
        if (*fd >= 0) ::close(*fd), *fd = -1;
}

std::string MetricsHttpServer::respond(const std::string& head) {
    auto line_end = head.find("\r\n");
    std::string line = head.substr(0, line_end);
    auto reply = [](const char* status, const std::string& type, const std::string& body) {
        return std::string("HTTP/1.1 ") + status + "\r\nContent-Type: " + type +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    };
    auto sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1 || line.compare(sp2 + 1, 5, "HTTP/") != 0)
        return reply("400 Bad Request", "text/plain", "bad request\n");
    std::string method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string path = target.substr(0, target.find('?'));
    if (path != "/metrics") return reply("404 Not Found", "text/plain", "only /metrics is served here\n");
    if (method != "GET" && method != "HEAD") return reply("405 Method Not Allowed", "text/plain", "GET only\n");
    std::string body = render_();
    std::string r = reply("200 OK", common::prom::kContentType, body);
    if (method == "HEAD") r.resize(r.size() - body.size());
    return r;
}

void MetricsHttpServer::serve(int fd) {
    timeval tv{2, 0};  // a scraper that stalls loses its connection, not the listener
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string head;
    char buf[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        head.append(buf, size_t(n));
    }
    requests_.fetch_add(1);
    std::string out = respond(head);
    for (size_t off = 0; off < out.size();) {
        ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;
        off += size_t(n);
    }
}

void MetricsHttpServer::loop() {
    for (;;) {
        pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            log_error("metrics", std::string("listener poll: ") + std::strerror(errno));
            return;
        }
        if (p[1].revents) return;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        serve(fd);
        ::close(fd);
    }
}

}  // namespace vigil::core
