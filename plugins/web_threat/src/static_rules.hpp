// The plugin's static nftables table (filter, output hook: traffic this host
// sends), held by vigild's plugin and kept while the worker is down or
// restarting:
//
// * listed IP addresses and networks (sets block_v4 / block_v6, interval
//   sets) refused on every port and protocol: TCP gets a reset, everything
//   else an ICMP administratively-prohibited (the sender fails at once). In
//   notify mode the packets are only counted (counter ip_notified) and pass.
//   Monitored TCP ports never reach this hook with the listed address: the
//   redirect (nat output, priority -100, before this filter at 0) hands them
//   to the worker, which answers with the block page; while the worker is
//   down (fail_mode open) they are refused here.
// * trusted addresses (sets trusted_v4 / trusted_v6) pass before any of it.
// * a NAT chain with a conntrack match (keep_nat) that keeps the namespace's
//   conntrack and NAT hooks when a killed worker's redirect table goes away,
//   so the connections the worker held are reset with their translation.
// * UDP/443 rejected (QUIC: browsers fall back to TCP at once), DNS-over-TLS
//   (853) rejected.
//
// The sets follow the lists: set_elements_text() flushes and refills them,
// applied as one transaction, so a packet sees the old sets or the new ones.
#pragma once

#include <string>
#include <vector>
#include <vigil/common/ip_address.hpp>

namespace vigil::web_threat {

inline constexpr const char* kStaticTable = "vigil_web_static";

struct StaticPlan {
    bool reject_quic = true;
    bool reject_dot = true;
    bool notify = false;  // action_on_detect notify: listed addresses counted, not refused
};

// The prefixes to put in the kernel's interval sets: sorted, every prefix
// inside another one dropped (an interval set refuses overlapping elements).
std::vector<common::IpPrefix> disjoint_prefixes(std::vector<common::IpPrefix> prefixes);

// "add table ...; add set ...; add chain ...; add rule ..." for a fresh
// table (callers delete an old one first: delete_table_text). The sets
// start empty.
std::string static_ruleset(const StaticPlan& plan);

// Flushes the four sets and adds `blocked` and `trusted` (any order,
// overlaps allowed; IPv4-mapped IPv6 prefixes must already be IPv4).
std::string set_elements_text(const std::vector<common::IpPrefix>& blocked,
                              const std::vector<common::IpPrefix>& trusted);

}  // namespace vigil::web_threat
