// The allowance model of an isolation: which traffic keeps flowing.
// An Exclusion is a conjunction of optional match terms; validation happens
// entirely while parsing so a bad command never reaches the ruleset builder.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent_scope.hpp"

namespace vigil::isolation {

// Thrown for any malformed input; the message names the field and the reason.
class ValidationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Direction { inbound, outbound, both };
std::string_view to_string(Direction d);

struct PortRange {
    uint16_t first = 0;
    uint16_t last = 0;
    std::string text() const;  // "80" or "80-90"
};

// An IPv4 or IPv6 network in canonical form (host bits cleared).
struct Cidr {
    int family = 0;  // AF_INET or AF_INET6
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;
    bool is_v6() const;
    std::string address_text() const;
    std::string text() const;  // "10.0.0.0/8", "2001:db8::1" (full prefix without "/N")
    bool operator==(const Cidr&) const = default;
};

struct Exclusion {
    Direction direction = Direction::both;
    std::optional<uint8_t> protocol;        // IP protocol number; none = all
    std::optional<Cidr> remote;             // none = any remote
    std::optional<PortRange> remote_ports;  // outbound only
    std::optional<PortRange> local_ports;   // inbound only
    std::optional<std::string> cgroup;      // cgroup v2 path relative to the hierarchy root
    // Set on the allowances the agent needs for itself (central nodes, proxy):
    // new flows pass only from the agent's own sockets. Never parsed from input.
    std::optional<AgentScope> agent;
    std::string comment;
};

// Parses "10.0.0.1", "10.0.0.0/8", "2001:db8::/32". Throws ValidationError
// naming `field`.
Cidr parse_cidr(std::string_view text, std::string_view field);

// Parses 443, "443", "1000-2000". Ports are 1..65535.
PortRange parse_port_range_text(std::string_view text, std::string_view field);

// Protocol by number (0..255) or one of the names tcp, udp, icmp, icmpv6,
// sctp, udplite, dccp, gre, esp, ah.
uint8_t parse_protocol_name(std::string_view text, std::string_view field);

// Whether a protocol carries ports nftables can match with `th`.
bool protocol_has_ports(uint8_t protocol);

// Checks the combination rules (port range direction, ports need a
// port-carrying protocol, an exclusion must restrict something).
void check_exclusion(const Exclusion& e, std::string_view field);

}  // namespace vigil::isolation
