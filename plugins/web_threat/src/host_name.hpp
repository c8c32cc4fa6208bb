// Host names as the lists and the verdicts compare them: the Safe Browsing
// host canonicalisation (lower case, no leading/trailing dots, no empty
// labels, IPv4 in every spelling normalised to dotted decimal).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vigil/common/ip_address.hpp>

namespace vigil::web_threat {

// The canonical form of a host seen on the wire (SNI, Host header, DNS
// name, URL host). Never fails: the result may be empty.
std::string canonical_host(std::string_view host);

// The dotted-decimal IPv4 address `host` spells in any inet_aton form
// ("3279880203", "0xc3.0177.0.11", "195.127.11"), or nullopt.
std::optional<std::string> ipv4_of_host(std::string_view host);

// The address a canonical host spells ("10.9.0.66", "[fd09::66]" or
// "fd09::66"; IPv4-mapped IPv6 as IPv4), or nullopt for a name.
std::optional<common::IpAddress> address_of_host(std::string_view canonical);

// True when a canonical host is a well-formed DNS name for a list entry:
// labels of 1-63 of [a-z0-9_-], at most 253 characters. `why` says what is
// wrong otherwise.
bool valid_domain(std::string_view canonical, std::string* why = nullptr);

// The next parent of a name ("a.b.c" -> "b.c"), or "" after the last label.
inline std::string_view parent_domain(std::string_view name) {
    const size_t dot = name.find('.');
    return dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
}

}  // namespace vigil::web_threat
