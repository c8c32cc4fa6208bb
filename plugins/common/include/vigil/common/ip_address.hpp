#pragma once
// IPv4/IPv6 addresses and prefixes: strict parsing, canonical text,
// containment, and the address classes a network plugin must never act on
// (loopback, link-local, multicast, unspecified).
//
//   auto p = parse_ip_prefix("2001:db8::/32");   // nullopt on bad input
//   p->contains(*parse_ip_address("2001:db8::1")) == true
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) stay IPv6 when parsed; use
// unmapped() where a dual-stack socket reported the address.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::common {

struct IpAddress {
    enum class Family : uint8_t { none = 0, v4 = 4, v6 = 6 };
    Family family = Family::none;
    std::array<uint8_t, 16> bytes{};  // network order; the first 4 for IPv4

    static IpAddress v4(const uint8_t* network_order);
    static IpAddress v6(const uint8_t* network_order);

    bool is_v4() const { return family == Family::v4; }
    bool is_v6() const { return family == Family::v6; }
    bool empty() const { return family == Family::none; }
    unsigned bits() const { return is_v4() ? 32 : 128; }

    // "10.0.0.1", "2001:db8::1" (RFC 5952 form); "" when empty.
    std::string text() const;

    bool is_loopback() const;     // 127/8, ::1
    bool is_link_local() const;   // 169.254/16, fe80::/10
    bool is_multicast() const;    // 224/4, ff00::/8
    bool is_unspecified() const;  // 0.0.0.0, ::
    bool is_broadcast() const;    // 255.255.255.255
    bool is_v4_mapped() const;    // ::ffff:0:0/96
    // The IPv4 address of an IPv4-mapped IPv6 address, else itself.
    IpAddress unmapped() const;

    auto operator<=>(const IpAddress&) const = default;
};

struct IpAddressHash {
    size_t operator()(const IpAddress& a) const noexcept;
};

struct IpPrefix {
    IpAddress address;  // host bits cleared
    unsigned length = 0;

    // Clears the host bits of `a` beyond `length` (clamped to the family's width).
    static IpPrefix of(const IpAddress& a, unsigned length);
    bool contains(const IpAddress& a) const;
    // True when every address of `other` is in this prefix.
    bool covers(const IpPrefix& other) const;
    bool is_host() const { return length == address.bits(); }
    // "10.0.0.0/8"; a host prefix prints as the bare address.
    std::string text() const;

    auto operator<=>(const IpPrefix&) const = default;
};

// Strict textual forms only (inet_pton): no leading zeros tricks, no ports,
// no zone ids; nullopt for anything else.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// "addr" (a host prefix) or "addr/len". The error names what is wrong
// ("prefix length 33 is out of range 0-32") when `error` is given.
std::optional<IpPrefix> parse_ip_prefix(std::string_view text, std::string* error = nullptr);

}  // namespace vigil::common
