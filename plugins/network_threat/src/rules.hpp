// Network exploit signatures in a documented subset of Suricata's rule
// syntax (see README "Signature rules"):
//
//   alert tcp any any -> $HOME_NET 6379 (msg:"Redis CONFIG SET dir"; content:"CONFIG"; nocase;
//       pcre:"/CONFIG\s+SET\s+dir/i"; classtype:attempted-admin; sid:9100020; rev:1;)
//
// Actions alert and drop (the plugin's action_on_detect decides what happens
// either way); protocols tcp and udp; addresses any, $HOME_NET, $EXTERNAL_NET,
// addresses, prefixes, [lists] and !negation; ports any, N, N:M, [lists],
// !negation and the port variables below (destination ports must be listed:
// packets are captured per port); direction ->; options msg, sid, rev,
// classtype, content (with |hex|, ! negation) + nocase / depth / offset, pcre
// (flags i s m x), and the ignored flow, reference, metadata, priority, gid,
// fast_pattern. Anything else refuses the rule with the line and the reason.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "packet.hpp"

namespace vigil::network_threat {

class RuleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct PortRange {
    uint16_t low = 0, high = 65535;
};

struct PortSet {
    bool any = true;
    bool negated = false;
    std::vector<PortRange> ranges;
    bool contains(uint16_t port) const;
};

struct AddressSet {
    bool any = true;
    bool negated = false;
    std::vector<common::IpPrefix> prefixes;
    bool contains(const IpAddress& a) const;
};

struct ContentMatch {
    std::string bytes;
    bool nocase = false;
    bool negated = false;
    std::optional<uint32_t> offset, depth;
};

class CompiledRegex;  // PCRE2, in rules.cpp

struct Rule {
    std::string action;  // alert or drop
    uint8_t protocol = 6;
    AddressSet src, dst;
    PortSet sport, dport;
    std::string msg, classtype;
    uint32_t sid = 0, rev = 0;
    std::vector<ContentMatch> contents;
    std::shared_ptr<const CompiledRegex> pcre;
    std::string pcre_text;
    size_t line = 0;
};

class RuleSet {
public:
    // Parses rules text (one rule per line, '#' comments, blank lines,
    // a trailing '\' continues a line). Throws RuleError "<origin>:<line>: <reason>".
    static RuleSet parse(std::string_view text, std::string_view origin);
    // Merges another set; duplicate sids refuse with RuleError.
    void add(RuleSet other);

    // Rules matching the packet's protocol, addresses, ports and payload.
    std::vector<const Rule*> match(const Packet& p) const;
    const std::vector<Rule>& rules() const { return rules_; }
    // The destination port ranges to capture, per protocol (merged, sorted).
    std::vector<PortRange> capture_ports(uint8_t protocol) const;
    bool empty() const { return rules_.empty(); }

private:
    std::vector<Rule> rules_;
};

// Matches one content against a payload (offset / depth / nocase / negation).
bool content_matches(const ContentMatch& c, std::span<const uint8_t> payload);

}  // namespace vigil::network_threat
