// Addresses the plugin never bans, whatever it detects from them: the
// central nodes and the proxy (or the agent loses its server), the default
// gateways and the configured resolvers (or the host loses its network —
// and a spoofed probe "from the gateway" would make the plugin cut it), the
// host's own addresses, loopback, link-local, multicast and the unspecified
// and broadcast addresses, plus the never_block setting. Gathered from the
// host (/proc/net/route, /proc/net/ipv6_route, resolv.conf, getifaddrs) and
// refreshed periodically.
#pragma once

#include <string>
#include <string_view>
#include <vector>
#include <vigil/common/ip_address.hpp>

namespace vigil::network_threat {

struct Protected {
    common::IpPrefix prefix;
    std::string why;  // "central node https://...", "default gateway", ...
};

// Loopback, link-local, multicast, unspecified, broadcast.
std::vector<Protected> fixed_protected();
// Default gateways from the text of /proc/net/route and /proc/net/ipv6_route.
std::vector<Protected> gateways_from(std::string_view route_v4, std::string_view route_v6);
// `nameserver` lines of resolv.conf text.
std::vector<Protected> resolvers_from(std::string_view resolv_conf);
// Every address of every interface of the calling network namespace.
std::vector<Protected> own_addresses();
// The host part of "https://h:8443/x", "[v6]:443", "h:443", "h".
std::string host_of(std::string_view url);
// The addresses of a host (an address literal, or a name resolved now).
std::vector<Protected> addresses_of(std::string_view url, const std::string& why);

class NeverBlock {
public:
    void assign(std::vector<Protected> entries) { entries_ = std::move(entries); }
    // The entry protecting `a`, or nullptr.
    const Protected* match(const common::IpAddress& a) const;
    // True when banning `p` (an address or a /64) would hit a protected address.
    const Protected* overlaps(const common::IpPrefix& p) const;
    std::vector<common::IpPrefix> prefixes() const;
    const std::vector<Protected>& entries() const { return entries_; }

private:
    std::vector<Protected> entries_;
};

}  // namespace vigil::network_threat
