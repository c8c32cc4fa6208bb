// The plugin's nftables table, as one nft text transaction.
//
//   prerouting, priority -450 (before defragmentation and connection
//   tracking): land packets are logged (and dropped in block mode);
//   never-block and excluded sources skip the bans; banned sources are
//   dropped (sets ban4, ban6, ban6net with per-element timeouts the kernel
//   expires); raw fragments are logged.
//   output, priority -450: nothing is sent to a banned address.
//   input, priority -10 (after connection tracking): established flows pass
//   (the first payload packets of flows to signature ports are logged);
//   everything that starts something is classified with a socket lookup and
//   rate meters, and only failures, odd packets and rate samples are logged
//   (NFLOG group, prefix "vnt:<signal>"), under a per-source and a total
//   budget. Sources of the attack sets (block_attacking_hosts: false) lose
//   their attack traffic but keep new connections to open ports.
//
// Accept verdicts only end this table's chains; other tables still see the
// packets. Drops are final.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include <vigil/common/ip_address.hpp>

#include "rules.hpp"
#include "thresholds.hpp"

namespace vigil::network_threat {

struct TimedPrefix {
    common::IpPrefix prefix;  // a host address, or an IPv6 /64
    int64_t remaining_ms = 0;
};

struct DataPlaneSpec {
    std::string table = "vigil_network_threat";
    uint16_t nflog_group = 6150;
    bool drop_malformed = false;  // block mode: land and invalid-flag packets are dropped
    Thresholds thresholds;        // the flood rates of the kernel meters
    uint32_t log_per_source_pps = 200;
    uint32_t log_total_pps = 2000;
    std::vector<common::IpPrefix> allow;  // never banned, never dropped as attack traffic
    std::vector<PortRange> signature_tcp, signature_udp;
    std::vector<TimedPrefix> bans;    // listed bans
    std::vector<TimedPrefix> attack;  // sources whose attack traffic is dropped (not listed)
};

// Snap lengths of the logged packets: headers (with IPv6 extension headers
// and the start of a UDP payload), fragments, signature payloads.
inline constexpr uint32_t kProbeSnaplen = 160, kSignatureSnaplen = 1600;

// "add table; delete table; table inet T { ... }": replaces the whole table
// atomically (the bans in the spec are in it, with their remaining times).
std::string build_ruleset(const DataPlaneSpec& spec);

// The set a timed prefix lives in: ban4, ban6, ban6net, attack4, attack6.
std::string set_for(const common::IpPrefix& p, bool attack);

// Adds (or re-times: add, delete, add in one transaction, which works on
// kernels that ignore a re-add's timeout) one element.
std::string add_element_text(std::string_view table, const TimedPrefix& t, bool attack);
// Replaces the elements of the allow sets (never-block and excluded prefixes).
std::string allow_update_text(std::string_view table, const std::vector<common::IpPrefix>& allow);
// Removes one element; succeeds whether or not it is present.
std::string remove_element_text(std::string_view table, const common::IpPrefix& p, bool attack);

}  // namespace vigil::network_threat
