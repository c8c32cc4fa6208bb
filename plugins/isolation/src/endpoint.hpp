// Central nodes and the proxy: where the agent must stay able to connect.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::isolation {

struct Endpoint {
    std::string host;  // name, IPv4 or IPv6 literal (without brackets)
    uint16_t port = 0;
    std::string text() const;  // "host:port" / "[v6]:port"
    bool operator==(const Endpoint&) const = default;
};

// Accepts "https://host[:port]/path", "http://user:pw@host:port", "host:port",
// "[2001:db8::1]:443". A URL without port uses its scheme's default (https
// 443, http 80); a bare host needs a port. Throws ValidationError naming field.
Endpoint parse_endpoint(std::string_view text, std::string_view field);

// Resolves an endpoint to numeric addresses (IPv4 and IPv6). Literals never
// touch DNS. Returns an empty list when the name does not resolve.
std::vector<std::string> resolve_addresses(const Endpoint& ep);

}  // namespace vigil::isolation
