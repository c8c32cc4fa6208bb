// Ends the TCP connections an isolation does not allow, at once. The rules
// already stop their traffic; destroying the sockets (sock_diag
// SOCK_DESTROY, as `ss -K` does) makes local applications see the cut
// immediately instead of hanging on an idle connection.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>
#include <vigil/common/sock_diag.hpp>

#include "exclusion.hpp"

namespace vigil::isolation {

// A connection as sock_diag reports it (family, state, addresses with IPv4 in the
// first 4 bytes, ports, owner uid) and what the cutter needs besides.
struct TcpSocket : common::TcpDiagEntry {
    uint64_t cgroup_id = 0;            // cgroup v2 id (inode of its directory), 0 = unknown
    bool inbound = false;              // accepted from a local listener
    std::array<uint32_t, 2> cookie{};  // sock_diag identity
    uint32_t ifindex = 0;
    std::string text() const;
};

// Cgroup path (relative to the cgroup v2 root) -> ids of it and all its
// descendants. Returns an empty set when it does not exist.
using CgroupIds = std::function<std::set<uint64_t>(const std::string& path)>;
std::set<uint64_t> cgroup_ids_on_host(const std::string& path);

// Whether the nft ruleset built from `allowances` lets this connection pass
// (same semantics as the rules: remote address, protocol, ports, direction,
// cgroup, the agent's own sockets; loopback is always allowed).
bool connection_allowed(const TcpSocket& s, const std::vector<Exclusion>& allowances,
                        const CgroupIds& cgroups);

// Lists TCP sockets of this network namespace (IPv4 and IPv6). Listening
// sockets are used to tell inbound connections and are not returned.
std::vector<TcpSocket> list_tcp_connections();

struct CutResult {
    size_t examined = 0;
    size_t cut = 0;
    std::string error;  // first failure, if any
};

// The allowances whose existing connections may stay at this apply. When the
// rules were not in force before (the start of an isolation, a restore after
// reboot, a re-apply after the table was removed), the agent's own allowances
// (central nodes, proxy) are left out, so its connections are ended as well:
// a connection opened before the rules may be unknown to conntrack (nothing
// in the network namespace needed tracking until our table did). Conntrack
// then picks it up mid-stream with whichever side sends first as the flow's
// originator; when that is the remote side (a central node answering the
// long poll that waits for tasks), every packet of it fails the allowance's
// `ct direction reply` match and is dropped while the agent keeps waiting.
// The agent reconnects at once, and a flow opened under the rules is tracked
// from its SYN. Other allowances (operator exclusions) keep their connections.
std::vector<Exclusion> allowances_for_cut(const std::vector<Exclusion>& allowances, bool rules_were_in_force);

// Destroys every connection that the allowances do not allow.
CutResult cut_disallowed_connections(const std::vector<Exclusion>& allowances, const CgroupIds& cgroups);

}  // namespace vigil::isolation
