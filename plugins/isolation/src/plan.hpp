// What an isolation allows, worked out from the settings, the command and the
// host (names resolved, cgroups checked, the agent's scope): the ruleset text
// and the facts the controller reports and probes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent_scope.hpp"
#include "endpoint.hpp"
#include "ruleset.hpp"
#include "self_test.hpp"
#include "settings.hpp"
#include "state_store.hpp"

namespace vigil::isolation {

struct PlanEnv {
    std::function<std::vector<std::string>(const Endpoint&)> resolve;
    CgroupResolver resolve_cgroup;
    std::optional<Endpoint> proxy;
    AgentScope agent;
    std::function<void(int level, const std::string& msg)> log;
};

struct Plan {
    std::string ruleset;
    std::vector<ProbeTarget> probe_targets;  // central nodes (and the proxy)
    std::vector<Exclusion> allowances;
    size_t rules = 0;
};

// Resolves names (fills st.resolved) and builds the ruleset. Throws
// ValidationError when no central node has an address. A cgroup exclusion
// whose cgroup does not exist refuses a new command (strict_command_cgroups);
// otherwise (settings, restore at start, where the unit may simply not run
// yet) it is skipped with a warning.
Plan plan_isolation(const Settings& settings, const PlanEnv& env, IsolationState& st,
                    bool strict_command_cgroups);

}  // namespace vigil::isolation
