// The nftables rules of the interception, as nft text (applied through
// <vigil/common/nft.hpp>, one transaction each).
//
// * The redirect table (nat, output hook: local traffic only) sends the
//   monitored TCP ports and DNS to the worker. The worker's own traffic is
//   excluded by its uid (a dedicated uid: every socket of that uid bypasses
//   the inspection). In fail-open mode the worker creates the table with
//   `flags owner`: the kernel deletes it together with the worker's netlink
//   socket, so when the worker dies the redirect is gone at once and traffic
//   flows uninspected. In fail-closed mode the plugin holds it (not owned):
//   while the worker is down the redirected connections are refused.
//   Trusted addresses are left out of the redirect.
// * The static table (static_rules.hpp) is the plugin's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <vigil/common/ip_address.hpp>

namespace vigil::web_threat {

inline constexpr const char* kRedirectTable = "vigil_web_redirect";
// The address blocked names resolve to; its web ports go to the worker,
// which answers with the block page.
inline constexpr const char* kSinkholeV4 = "127.0.0.9";

struct RedirectPlan {
    uint32_t worker_uid = 0;
    uint16_t listen_port = 0;  // the worker's TCP listener on 127.0.0.1 and ::1
    uint16_t dns_port = 0;     // its DNS forwarder (UDP); 0: DNS is not redirected
    std::vector<uint16_t> ports;
    bool owned = true;  // flags owner: gone with the creating process
    // Trusted addresses and networks (trusted_addresses): never redirected,
    // so their connections are as fast as direct ones.
    std::vector<common::IpPrefix> trusted;
};

// "add table ...; add chain ...; add rule ..." for a fresh table (callers
// delete an old one first: delete_table_text).
std::string redirect_ruleset(const RedirectPlan& plan);

// "80, 443, 8000-8001": the set elements of the monitored ports, ranges merged.
std::string port_set_text(std::vector<uint16_t> ports);

}  // namespace vigil::web_threat
