// The isolation state machine: on, off, status, timed release, loss of
// contact, self-test rollback and reconciliation at start. Independent of the
// host so it can be tested with real nftables in a private network namespace;
// the plugin glue wires the callbacks to the host. All calls must come from
// one thread (the plugin's executor).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent_scope.hpp"
#include "connection_cutter.hpp"
#include "endpoint.hpp"
#include "plan.hpp"
#include "resolvers.hpp"
#include "ruleset.hpp"
#include "self_test.hpp"
#include "settings.hpp"
#include "state_store.hpp"
#include "vigil/common/nft.hpp"

namespace vigil::isolation {

// An action taken on the isolation, published as an action_result event.
struct ActionEvent {
    std::string action;  // isolate, release, expire, rollback
    bool ok = true;
    std::string reason;
    std::string origin;
    std::string error;         // when !ok
    std::string details_json;  // the status after the action
    uint64_t correlation_id = 0;
};

struct ControllerEnv {
    std::function<int64_t()> now_ms;
    std::function<void(const ActionEvent&)> publish;
    std::function<void(const std::string& status_json)> set_status;
    std::function<void(int level, const std::string& msg)> log;  // vigil_log_level values
    // Newest contact with a central node known to the connector plugin.
    std::function<std::optional<int64_t>()> connector_contact_ms;
    // Asks the connector for one authenticated exchange with a central node
    // (bus command <contact_plugin>.check_contact, at most timeout_ms); the
    // reply must come back through Controller::contact_reply(epoch, ...) on
    // the controller's thread. Unset = no self-test possible.
    std::function<void(uint64_t epoch, int64_t timeout_ms)> check_contact;
    std::function<std::vector<std::string>(const Endpoint&)> resolve = resolve_addresses;
    CgroupResolver resolve_cgroup = resolve_cgroup_on_host;
    std::optional<Endpoint> proxy;
    // The agent's own sockets, which alone may use the central-node and proxy allowances.
    std::function<AgentScope()> agent_scope = agent_scope_of_self;
    // The DNS resolvers configured now (allow_dns snapshots them at isolation.on).
    std::function<std::vector<std::string>()> dns_resolvers = [] { return system_resolvers(); };
    // Ends the connections the allowances do not allow (after the rules are in force).
    std::function<CutResult(const std::vector<Exclusion>& allowances)> cut_connections =
        [](const std::vector<Exclusion>& a) { return cut_disallowed_connections(a, cgroup_ids_on_host); };
};

class Controller {
public:
    Controller(Settings settings, ControllerEnv env, common::nft::Runner& nft, StateStore& store);

    // Commands. Return the result JSON; throw ValidationError for a refused
    // request (nothing changed) or std::runtime_error when applying failed
    // (the previous state is kept).
    std::string on(std::string_view args_json, std::string_view origin, uint64_t correlation_id = 0);
    std::string off(std::string_view args_json, std::string_view origin, uint64_t correlation_id = 0);
    std::string status() const;

    // At plugin start: re-apply a saved isolation that is still due, remove
    // an expired one, remove an orphaned table.
    void reconcile();
    // Periodic: timeout, lost contact, table removed behind our back.
    void tick();
    // A reply of check_contact for the self-test of isolation `epoch`.
    void contact_reply(uint64_t epoch, const ContactReply& reply);

    bool isolated() const { return state_.has_value(); }
    // Wall time the last ruleset took in nft (ms), for status and benchmarks.
    double last_apply_ms() const { return last_apply_ms_; }
    // Time from the start of the last on() until its rules were in force (ms).
    double last_enforced_ms() const { return last_enforced_ms_; }

private:
    friend struct StatusJson;  // status.cpp writes the status from the members

    // rules_were_in_force: our table was already enforcing before this apply
    // (a re-isolation, an agent restart), not a fresh start (see allowances_for_cut).
    void cut_connections(const Plan& b, bool rules_were_in_force);
    // plan_isolation() with this host's environment; takes the DNS snapshot
    // when the state has none yet.
    Plan build(IsolationState& st, bool strict_command_cgroups);
    void apply_or_throw(const std::string& ruleset);
    void release(const std::string& action, const std::string& reason, const std::string& origin,
                 uint64_t correlation_id);
    void refresh_status();
    // Sends the self-test's next exchange when one is due.
    void drive_self_test();
    void self_test_verdict(const SelfTestVerdict& v);
    void log(int level, const std::string& m) const {
        if (env_.log) env_.log(level, m);
    }

    Settings settings_;
    ControllerEnv env_;
    common::nft::Runner& nft_;
    StateStore& store_;
    std::optional<IsolationState> state_;
    AgentScope agent_scope_;
    size_t rules_ = 0;
    size_t connections_cut_ = 0;
    // The last isolate/release/expire/rollback, so a heartbeat after a
    // rollback or expiry still says what happened and why.
    struct Change {
        std::string action, reason, origin;
        int64_t time_ms = 0;
        bool ok = true;
    };
    std::optional<Change> last_change_;
    void note(const ActionEvent& ev);
    double last_apply_ms_ = 0;
    double last_enforced_ms_ = 0;
    uint64_t epoch_ = 0;
    SelfTest self_test_run_;
    std::string self_test_ = "none";  // none, pending, passed, failed, inconclusive, off, skipped
    std::string self_test_detail_;
    int64_t self_test_ok_ms_ = 0;
    uint64_t ticks_ = 0;
};

}  // namespace vigil::isolation
