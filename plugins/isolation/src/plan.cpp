#include "plan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "vigil/plugin.h"

namespace vigil::isolation {

namespace {

Exclusion endpoint_allowance(const std::string& address, uint16_t port, const std::string& comment,
                             const AgentScope& agent) {
    Exclusion e;
    e.direction = Direction::outbound;
    e.protocol = 6;
    e.remote = parse_cidr(address, comment);
    e.remote_ports = PortRange{port, port};
    e.agent = agent;
    e.comment = comment;
    return e;
}

class Planner {
public:
    Planner(const Settings& settings, const PlanEnv& env, IsolationState& st)
        : settings_(settings), env_(env), st_(st) {}

    // Central nodes and the proxy: for the agent's own sockets only.
    void add_agent_endpoints() {
        std::vector<Endpoint> central = settings_.central_nodes;
        for (const auto& ep : st_.central_nodes)
            if (std::find(central.begin(), central.end(), ep) == central.end()) central.push_back(ep);
        if (central.empty())
            throw ValidationError(
                "no central node is configured (setting central_nodes or command field central_nodes); "
                "isolating would cut the agent off from its server");
        for (const auto& ep : central) add_endpoint(ep, "central node");
        if (plan_.probe_targets.empty())
            throw ValidationError("none of the central nodes resolves to an address (" + unresolved_ +
                                  "); isolating would cut the agent off from its server");
        if (!unresolved_.empty())
            log(VIGIL_LOG_WARN, "isolation: central node(s) without an address, not allowed: " + unresolved_);
        if (env_.proxy) {
            // With a proxy the agent reaches its central nodes through it.
            add_endpoint(*env_.proxy, "proxy");
            if (resolved_.find(env_.proxy->text()) == resolved_.end())
                log(VIGIL_LOG_WARN, "isolation: proxy " + env_.proxy->text() + " does not resolve; it is not allowed");
        }
    }

    void add_dns() {
        if (!settings_.allow_dns) return;
        if (!st_.dns_resolvers || st_.dns_resolvers->empty())
            log(VIGIL_LOG_WARN, "isolation: allow_dns is set but no DNS resolver is configured; port 53 stays closed");
        if (st_.dns_resolvers)
            for (auto& e : dns_allowances(*st_.dns_resolvers)) spec_.allowances.push_back(std::move(e));
    }

    void add_exclusions(bool strict_command_cgroups) {
        for (const auto& e : settings_.exclusions) add_exclusion(e, false);
        for (const auto& e : st_.exclusions) add_exclusion(e, strict_command_cgroups);
    }

    Plan finish() {
        spec_.table = st_.table;
        spec_.allow_dhcp = settings_.allow_dhcp;
        spec_.resolve_cgroup = env_.resolve_cgroup;
        plan_.ruleset = build_isolation_ruleset(spec_);
        plan_.rules = count_rules(plan_.ruleset);
        plan_.allowances = std::move(spec_.allowances);
        st_.resolved = std::move(resolved_);
        return std::move(plan_);
    }

private:
    void add_endpoint(const Endpoint& ep, const std::string& what) {
        std::vector<std::string> addrs = env_.resolve ? env_.resolve(ep) : std::vector<std::string>{};
        if (addrs.empty()) {
            // Names usually stop resolving once isolated (DNS is cut): keep
            // the addresses that were valid when the isolation began.
            if (auto it = st_.resolved.find(ep.text()); it != st_.resolved.end()) addrs = it->second;
        }
        if (addrs.empty()) {
            unresolved_ += (unresolved_.empty() ? "" : ", ") + ep.text();
            return;
        }
        resolved_[ep.text()] = addrs;
        for (const auto& a : addrs) {
            if (seen_.insert(a + "|" + std::to_string(ep.port)).second)
                spec_.allowances.push_back(endpoint_allowance(a, ep.port, what + " " + ep.text(), env_.agent));
            plan_.probe_targets.push_back(ProbeTarget{a, ep.port});
        }
    }

    void add_exclusion(const Exclusion& e, bool strict) {
        if (e.cgroup) {
            try {
                if (env_.resolve_cgroup) env_.resolve_cgroup(*e.cgroup);
            } catch (const ValidationError& err) {
                if (strict) throw ValidationError(std::string("exclusions: ") + err.what());
                log(VIGIL_LOG_WARN, std::string("isolation: exclusion skipped: ") + err.what());
                return;
            }
        }
        spec_.allowances.push_back(e);
    }

    void log(vigil_log_level level, const std::string& m) const {
        if (env_.log) env_.log(int(level), m);
    }

    const Settings& settings_;
    const PlanEnv& env_;
    IsolationState& st_;
    RulesetSpec spec_;
    Plan plan_;
    std::map<std::string, std::vector<std::string>> resolved_;
    std::string unresolved_;
    std::set<std::string> seen_;
};

}  // namespace

Plan plan_isolation(const Settings& settings, const PlanEnv& env, IsolationState& st,
                    bool strict_command_cgroups) {
    Planner p(settings, env, st);
    p.add_agent_endpoints();
    p.add_dns();
    p.add_exclusions(strict_command_cgroups);
    return p.finish();
}

}  // namespace vigil::isolation
