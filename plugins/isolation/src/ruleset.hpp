// Builds the nftables text of an isolation as one atomic transaction.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "exclusion.hpp"

namespace vigil::isolation {

// Turns a cgroup v2 path (relative to the hierarchy root) into the string nft
// resolves under /sys/fs/cgroup. Throws ValidationError when the cgroup does
// not exist.
using CgroupResolver = std::function<std::string(const std::string& path)>;

struct RulesetSpec {
    std::string table;                  // inet table owned by the plugin
    std::vector<Exclusion> allowances;  // central nodes, proxy, DNS and user exclusions
    bool allow_dhcp = false;
    CgroupResolver resolve_cgroup;  // required when an allowance has a cgroup
};

// Table names nft accepts and that cannot inject syntax.
bool valid_table_name(std::string_view name);

// "add table; delete table; table { ... }": nftables applies the buffer as one
// transaction, so the old ruleset is replaced whole or not at all.
std::string build_isolation_ruleset(const RulesetSpec& spec);

// Removes the table (idempotent: the add makes the delete always valid).
std::string build_release(std::string_view table);

// Number of rules a spec produces (for status and benchmarks).
size_t count_rules(const std::string& ruleset_text);

// Allowances that DNS needs: udp and tcp to port 53 of each resolver (numeric
// addresses; throws ValidationError for anything else).
std::vector<Exclusion> dns_allowances(const std::vector<std::string>& resolvers);

// The resolver used in production: finds the cgroup2 mount in
// /proc/self/mountinfo and checks that the cgroup directory exists.
std::string resolve_cgroup_on_host(const std::string& path);

// Where the cgroup v2 hierarchy is mounted in this mount namespace ("" = not).
std::string cgroup2_mount_point();

}  // namespace vigil::isolation
