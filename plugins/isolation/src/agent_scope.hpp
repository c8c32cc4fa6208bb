// Which sockets are the agent's own. The allowances the agent needs for
// itself (central nodes, its proxy) match only these, so no other process on
// an isolated host can use them to get out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::isolation {

struct AgentScope {
    // cgroup v2 path of vigild relative to the hierarchy root; "" when vigild
    // runs in the root cgroup or no cgroup v2 hierarchy is mounted (then only
    // the uid restricts).
    std::string cgroup;
    // Owner of the agent's sockets (vigild runs as root).
    uint32_t uid = 0;
    // Why the scope is weaker than it should be ("" when it is the agent's own cgroup).
    std::string warning;
    bool operator==(const AgentScope& o) const { return cgroup == o.cgroup && uid == o.uid; }
};

// The cgroup v2 path in the text of /proc/<pid>/cgroup (the "0::" line),
// without the leading '/'; "" for the root cgroup. Throws
// std::invalid_argument when there is no "0::" line or the cgroup is deleted.
std::string cgroup_of_proc_text(std::string_view proc_cgroup);

// The scope of this process: its cgroup (checked to exist under the cgroup2
// mount) and its effective uid.
AgentScope agent_scope_of_self();

}  // namespace vigil::isolation
