#include "static_rules.hpp"

#include <algorithm>

namespace vigil::web_threat {

namespace {

// Elements per "add element" command: keeps each command's line short for
// nft's parser; the commands still form one transaction.
constexpr size_t kElementsPerCommand = 4096;

std::string table() { return std::string("inet ") + kStaticTable; }

void add_elements(std::string& out, const char* set, const std::vector<common::IpPrefix>& prefixes, bool v4) {
    out += "flush set " + table() + " " + set + "\n";
    size_t in_command = 0;
    for (const auto& p : prefixes) {
        if (p.address.is_v4() != v4) continue;
        out += in_command == 0 ? "add element " + table() + " " + set + " { " : ", ";
        out += p.text();
        if (++in_command == kElementsPerCommand) {
            out += " }\n";
            in_command = 0;
        }
    }
    if (in_command) out += " }\n";
}

}  // namespace

std::vector<common::IpPrefix> disjoint_prefixes(std::vector<common::IpPrefix> prefixes) {
    // Host bits are clear, so a prefix sorts before every prefix inside it
    // (same start address, shorter length first).
    std::sort(prefixes.begin(), prefixes.end());
    std::vector<common::IpPrefix> out;
    for (const auto& p : prefixes) {
        // Prefixes are nested or disjoint: only the last kept one can cover p.
        if (!out.empty() && out.back().address.family == p.address.family && out.back().covers(p)) continue;
        out.push_back(p);
    }
    return out;
}

std::string static_ruleset(const StaticPlan& p) {
    const std::string t = table();
    const std::string rule = "add rule " + t + " output ";
    std::string s = "add table " + t + "\n";
    for (const char* set : {"block_v4", "trusted_v4"}) s += "add set " + t + " " + set + " { type ipv4_addr; flags interval; }\n";
    for (const char* set : {"block_v6", "trusted_v6"}) s += "add set " + t + " " + set + " { type ipv6_addr; flags interval; }\n";
    s += "add counter " + t + " ip_refused\nadd counter " + t + " ip_notified\n";
    s += "add chain " + t + " output { type filter hook output priority 0; policy accept; }\n";
    // Conntrack and NAT for the namespace, held by this table so that they
    // outlive the worker's redirect table. A namespace registers its
    // conntrack hooks only while some rule uses conntrack (the worker's
    // `redirect`) and its NAT hooks only while a NAT chain exists: when a
    // killed worker's table goes, both would go with it, and the resets and
    // FINs of the connections it held (accepted, or queued on its listener,
    // which the kernel closes after the table) would leave untranslated as
    // 127.0.0.1:<listen_port>; the clients drop them and hang until their
    // own timeouts (F22, web_threat_killloop). The chain only sees a new
    // connection's first packet and does nothing with it.
    s += "add chain " + t + " keep_nat { type nat hook output priority 100; policy accept; }\n";
    s += "add rule " + t + " keep_nat ct state new\n";
    s += rule + "ip daddr @trusted_v4 return\n";
    s += rule + "ip6 daddr @trusted_v6 return\n";
    for (const char* match : {"ip daddr @block_v4 ", "ip6 daddr @block_v6 "}) {
        if (p.notify) {
            s += rule + match + "counter name ip_notified\n";
            continue;
        }
        s += rule + match + "meta l4proto tcp counter name ip_refused reject with tcp reset\n";
        s += rule + match + "counter name ip_refused reject with icmpx type admin-prohibited\n";
    }
    if (p.reject_quic) s += rule + "udp dport 443 counter reject\n";
    if (p.reject_dot) {
        s += rule + "tcp dport 853 counter reject with tcp reset\n";
        s += rule + "udp dport 853 counter reject\n";
    }
    return s;
}

std::string set_elements_text(const std::vector<common::IpPrefix>& blocked,
                              const std::vector<common::IpPrefix>& trusted) {
    const auto b = disjoint_prefixes(blocked), tr = disjoint_prefixes(trusted);
    std::string out;
    add_elements(out, "block_v4", b, true);
    add_elements(out, "block_v6", b, false);
    add_elements(out, "trusted_v4", tr, true);
    add_elements(out, "trusted_v6", tr, false);
    return out;
}

}  // namespace vigil::web_threat
