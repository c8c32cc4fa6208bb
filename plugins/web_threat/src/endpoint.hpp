// An address and port of a TCP/UDP endpoint as the worker handles them, and
// the original destination of a connection the nftables redirect sent to the
// worker (SO_ORIGINAL_DST for IPv4, IP6T_SO_ORIGINAL_DST for IPv6: conntrack's
// tuple from before the NAT).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vigil/common/ip_address.hpp>

namespace vigil::web_threat {

struct Endpoint {
    common::IpAddress ip;
    uint16_t port = 0;

    // "10.9.0.2:80", "[fd09::2]:443"
    std::string text() const;
    bool operator==(const Endpoint&) const = default;
};

// sockaddr_in / sockaddr_in6 <-> Endpoint; v4-mapped IPv6 addresses come
// out as IPv4.
std::optional<Endpoint> endpoint_of(const sockaddr_storage& sa);
socklen_t sockaddr_of(const Endpoint& e, sockaddr_storage& out);

// The connection's local and remote endpoints (nullopt on error).
std::optional<Endpoint> local_endpoint(int fd);
std::optional<Endpoint> peer_endpoint(int fd);

// A non-blocking TCP socket connecting to `e` (TCP_NODELAY: segments go as
// they come); -1 when the connect failed at once.
int connect_nonblocking(const Endpoint& e);

// Where the client meant to connect before the redirect; nullopt when the
// connection has no NAT entry (errno tells why).
std::optional<Endpoint> original_destination(int fd);

}  // namespace vigil::web_threat
