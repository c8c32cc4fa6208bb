#include "endpoint.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::web_threat {

namespace {
// <linux/netfilter_ipv4.h> and <linux/netfilter_ipv6/ip6_tables.h>, whose
// other contents clash with glibc's <netinet/in.h>.
constexpr int kSoOriginalDst = 80;
constexpr int kIp6tSoOriginalDst = 80;
}  // namespace

std::string Endpoint::text() const {
    const std::string a = ip.text();
    return (ip.is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(port);
}

std::optional<Endpoint> endpoint_of(const sockaddr_storage& sa) {
    Endpoint e;
    if (sa.ss_family == AF_INET) {
        const auto& s4 = reinterpret_cast<const sockaddr_in&>(sa);
        e.ip = common::IpAddress::v4(reinterpret_cast<const uint8_t*>(&s4.sin_addr));
        e.port = ntohs(s4.sin_port);
        return e;
    }
    if (sa.ss_family == AF_INET6) {
        const auto& s6 = reinterpret_cast<const sockaddr_in6&>(sa);
        e.ip = common::IpAddress::v6(s6.sin6_addr.s6_addr).unmapped();
        e.port = ntohs(s6.sin6_port);
        return e;
    }
    return std::nullopt;
}

socklen_t sockaddr_of(const Endpoint& e, sockaddr_storage& out) {
    std::memset(&out, 0, sizeof out);
    if (e.ip.is_v4()) {
        auto& s4 = reinterpret_cast<sockaddr_in&>(out);
        s4.sin_family = AF_INET;
        s4.sin_port = htons(e.port);
        std::memcpy(&s4.sin_addr, e.ip.bytes.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto& s6 = reinterpret_cast<sockaddr_in6&>(out);
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons(e.port);
    std::memcpy(&s6.sin6_addr, e.ip.bytes.data(), 16);
    return sizeof(sockaddr_in6);
}

namespace {

template <typename Get>
std::optional<Endpoint> query(Get get) {
    sockaddr_storage sa{};
    socklen_t len = sizeof sa;
    if (get(reinterpret_cast<sockaddr*>(&sa), &len) != 0) return std::nullopt;
    return endpoint_of(sa);
}

}  // namespace

std::optional<Endpoint> local_endpoint(int fd) {
    return query([fd](sockaddr* sa, socklen_t* len) { return getsockname(fd, sa, len); });
}

std::optional<Endpoint> peer_endpoint(int fd) {
    return query([fd](sockaddr* sa, socklen_t* len) { return getpeername(fd, sa, len); });
}

std::optional<Endpoint> original_destination(int fd) {
    const auto local = local_endpoint(fd);
    if (!local) return std::nullopt;
    // The socket's own family picks the option: an IPv4 connection to the
    // IPv4 listener, an IPv6 one to the IPv6 listener.
    sockaddr_storage probe{};
    socklen_t plen = sizeof probe;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&probe), &plen) != 0) return std::nullopt;
    if (probe.ss_family == AF_INET6 && !local->ip.is_v4()) {
        return query([fd](sockaddr* sa, socklen_t* len) { return getsockopt(fd, SOL_IPV6, kIp6tSoOriginalDst, sa, len); });
    }
    return query([fd](sockaddr* sa, socklen_t* len) { return getsockopt(fd, SOL_IP, kSoOriginalDst, sa, len); });
}

int connect_nonblocking(const Endpoint& e) {
    sockaddr_storage sa;
    const socklen_t len = sockaddr_of(e, sa);
    const int fd = ::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace vigil::web_threat
