// The `cidr` modifier: an IPv4 or IPv6 network that a field's address must be
// in. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what dual-stack sockets
// report) are compared as the IPv4 address.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::behavior::sigma {

struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // first 4 used for IPv4
};

// Parses a textual address; nullopt when it is not one.
std::optional<IpAddress> parse_ip(std::string_view text);

class CidrMatcher {
public:
    // Throws std::invalid_argument naming the bad network. A bare address is
    // a /32 (or /128) network.
    explicit CidrMatcher(std::string_view network);
    bool contains(std::string_view address) const;

private:
    IpAddress net_;
    unsigned prefix_ = 0;
};

}  // namespace vigil::behavior::sigma
