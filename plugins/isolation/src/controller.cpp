#include "controller.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include "json_input.hpp"

namespace vigil::isolation {

namespace {

constexpr int kInfo = 2, kWarn = 3, kError = 4;
// How often (in ticks) the kernel is asked whether our table is still there.
constexpr uint64_t kDriftCheckEvery = 5;

}  // namespace

Controller::Controller(Settings settings, ControllerEnv env, common::nft::Runner& nft, StateStore& store)
    : settings_(std::move(settings)), env_(std::move(env)), nft_(nft), store_(store) {
    if (!env_.now_ms)
        env_.now_ms = [] {
            return int64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
        };
}

Plan Controller::build(IsolationState& st, bool strict_command_cgroups) {
    if (settings_.allow_dns && !st.dns_resolvers && env_.dns_resolvers) st.dns_resolvers = env_.dns_resolvers();
    PlanEnv pe{env_.resolve, env_.resolve_cgroup, env_.proxy, {}, env_.log};
    if (env_.agent_scope) pe.agent = env_.agent_scope();
    if (!pe.agent.warning.empty() && pe.agent.warning != agent_scope_.warning)
        log(kWarn, "isolation: " + pe.agent.warning);
    agent_scope_ = pe.agent;
    return plan_isolation(settings_, pe, st, strict_command_cgroups);
}

void Controller::cut_connections(const Plan& b, bool rules_were_in_force) {
    connections_cut_ = 0;
    if (!env_.cut_connections) return;
    const CutResult r = env_.cut_connections(allowances_for_cut(b.allowances, rules_were_in_force));
    connections_cut_ = r.cut;
    if (r.cut)
        log(kInfo, "isolation: ended " + std::to_string(r.cut) +
                       " connection(s) the isolation does not allow" +
                       (rules_were_in_force ? "" : " or the agent opened before it (it reconnects)"));
    if (!r.error.empty()) log(kWarn, "isolation: could not end every disallowed connection: " + r.error);
}

void Controller::apply_or_throw(const std::string& ruleset) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = nft_.run(ruleset);
    last_apply_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok) throw std::runtime_error("nftables refused the isolation ruleset: " + r.error);
}

std::string Controller::on(std::string_view args_json, std::string_view origin, uint64_t correlation_id) {
    const auto received = std::chrono::steady_clock::now();
    auto d = parse_json_object(args_json, "isolation.on arguments");
    IsolationState next;
    next.table = settings_.table;
    next.origin = std::string(origin);
    int64_t timeout_s = settings_.default_timeout_s;
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
        const std::string key(it->name.GetString(), it->name.GetStringLength());
        const auto& v = it->value;
        if (key == "timeout_s") {
            timeout_s = parse_seconds(v, key, 1, kMaxTimeout);
        } else if (key == "exclusions") {
            next.exclusions = parse_exclusion_list(v, key);
        } else if (key == "central_nodes") {
            next.central_nodes = parse_endpoint_list(v, key);
        } else if (key == "reason") {
            if (!v.IsString()) throw ValidationError("reason: must be a string");
            next.reason = v.GetString();
            if (next.reason.size() > 1024) throw ValidationError("reason: longer than 1024 characters");
        } else if (key == "args") {
            if (!v.IsArray() || !v.Empty())
                throw ValidationError(
                    "args: isolation.on takes no positional arguments (use --timeout_s, --reason, "
                    "--exclusions)");
        } else {
            throw ValidationError(key +
                                  ": unknown field (known: timeout_s, exclusions, central_nodes, reason)");
        }
    }
    if (next.reason.empty()) next.reason = "requested by " + next.origin;
    // Addresses known from a running isolation survive a re-isolation with DNS cut.
    if (state_) next.resolved = state_->resolved;
    next.started_ms = env_.now_ms();
    next.expires_ms = next.started_ms + timeout_s * 1000;

    Plan b = build(next, true);  // throws ValidationError before anything changes

    const std::optional<IsolationState> previous = state_;
    // The promise first: if the agent dies after this line, the start
    // reconciliation re-applies it. The fsync waits until the rules are in
    // force so it does not delay enforcement.
    store_.save(next, /*durable=*/false);
    try {
        apply_or_throw(b.ruleset);
        last_enforced_ms_ =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - received).count();
        store_.make_durable();
    } catch (...) {
        try {
            if (previous)
                store_.save(*previous);
            else
                store_.clear();
        } catch (const std::exception& e) {
            log(kError, std::string("isolation: cannot restore the state file: ") + e.what());
        }
        throw;
    }
    state_ = std::move(next);
    rules_ = b.rules;
    cut_connections(b, previous.has_value());
    ++epoch_;
    self_test_ok_ms_ = 0;
    self_test_detail_.clear();
    self_test_run_.cancel();
    if (settings_.self_test && env_.check_contact) {
        self_test_ = "pending";
        self_test_run_.begin(env_.now_ms(), settings_.self_test_timeout_s * 1000);
    } else {
        self_test_ = "off";
    }
    log(kInfo, "isolation: on (" + std::to_string(rules_) + " rules, " + std::to_string(last_apply_ms_) +
                   " ms): " + state_->reason);
    ActionEvent ev{"isolate", true, state_->reason, state_->origin, "", "", correlation_id};
    note(ev);
    drive_self_test();
    return status();
}

void Controller::release(const std::string& action, const std::string& reason, const std::string& origin,
                         uint64_t correlation_id) {
    const std::string table = state_ ? state_->table : settings_.table;
    const auto r = nft_.run(build_release(table));
    if (!r.ok) throw std::runtime_error("nftables refused to remove table inet " + table + ": " + r.error);
    try {
        store_.clear();
    } catch (const std::exception& e) {
        // The rules are gone; a stale file would re-isolate at the next
        // start, so say so loudly.
        log(kError, std::string("isolation: ") + e.what());
    }
    state_.reset();
    ++epoch_;  // a self-test still running is now stale
    self_test_run_.cancel();
    self_test_ = "none";
    rules_ = 0;
    log(kInfo, "isolation: " + action + ": " + reason);
    ActionEvent ev{action, true, reason, origin, "", "", correlation_id};
    note(ev);
}

std::string Controller::off(std::string_view args_json, std::string_view origin, uint64_t correlation_id) {
    auto d = parse_json_object(args_json, "isolation.off arguments");
    std::string reason;
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
        const std::string key(it->name.GetString(), it->name.GetStringLength());
        if (key == "reason") {
            if (!it->value.IsString()) throw ValidationError("reason: must be a string");
            reason = it->value.GetString();
        } else if (key == "args") {
            if (!it->value.IsArray() || !it->value.Empty())
                throw ValidationError("args: isolation.off takes no positional arguments");
        } else {
            throw ValidationError(key + ": unknown field (known: reason)");
        }
    }
    if (!state_) {
        // Still make sure nothing of ours is left in the kernel.
        if (nft_.table_exists("inet", settings_.table))
            release("release", "table present without isolation state", std::string(origin), correlation_id);
        return status();
    }
    if (reason.empty()) reason = "released by " + std::string(origin);
    release("release", reason, std::string(origin), correlation_id);
    return status();
}

void Controller::reconcile() {
    std::optional<IsolationState> saved;
    try {
        saved = store_.load();
    } catch (const std::exception& e) {
        log(kError, std::string("isolation: saved state unreadable, releasing: ") + e.what());
        ::rename(store_.path().c_str(), (store_.path() + ".corrupt").c_str());
    }
    const int64_t now = env_.now_ms();
    if (!saved) {
        if (nft_.table_exists("inet", settings_.table)) {
            log(kWarn,
                "isolation: table inet " + settings_.table + " exists without saved state; removing it");
            const auto r = nft_.run(build_release(settings_.table));
            if (!r.ok) log(kError, "isolation: cannot remove table: " + r.error);
        }
        refresh_status();
        return;
    }
    if (saved->table != settings_.table && nft_.table_exists("inet", saved->table)) {
        // The table setting changed: move the isolation to the new table.
        nft_.run(build_release(saved->table));
        saved->table = settings_.table;
    }
    state_ = saved;
    // An agent restart finds its table still in force; after a reboot it is gone.
    const bool in_force = nft_.table_exists("inet", settings_.table);
    if (now >= saved->expires_ms) {
        release("expire", "isolation timeout passed while the agent was not running", "timer", 0);
        return;
    }
    try {
        Plan b = build(*state_, false);
        apply_or_throw(b.ruleset);
        rules_ = b.rules;
        store_.save(*state_);
        cut_connections(b, in_force);
        // No self-test here: at boot the network may not be up yet, and a
        // rollback would silently undo an isolation that was promised.
        self_test_run_.cancel();
        self_test_ = "skipped";
        log(kInfo, "isolation: restored at start, " + std::to_string((state_->expires_ms - now) / 1000) +
                       " s left: " + state_->reason);
        ActionEvent ev{"isolate", true, "restored at start: " + state_->reason, "reconcile", "", "", 0};
        note(ev);
    } catch (const std::exception& e) {
        // Keep what the kernel has (it may still hold the old rules) and the
        // promise on disk; report loudly.
        log(kError, std::string("isolation: cannot re-apply saved isolation: ") + e.what());
        ActionEvent ev{"isolate", false, "restore at start", "reconcile", e.what(), "", 0};
        note(ev);
    }
}

void Controller::tick() {
    ++ticks_;
    if (!state_) return;
    const int64_t now = env_.now_ms();
    try {
        if (now >= state_->expires_ms) {
            release("expire",
                    "isolation timeout reached (" +
                        std::to_string((state_->expires_ms - state_->started_ms) / 1000) + " s)",
                    "timer", 0);
            return;
        }
        drive_self_test();
        if (settings_.contact_loss_release_s > 0) {
            int64_t last = std::max(state_->started_ms, self_test_ok_ms_);
            if (env_.connector_contact_ms)
                if (auto c = env_.connector_contact_ms()) last = std::max(last, *c);
            if (now - last >= settings_.contact_loss_release_s * 1000) {
                release("release",
                        "no contact with any central node for " + std::to_string((now - last) / 1000) + " s",
                        "timer", 0);
                return;
            }
        }
        if (ticks_ % kDriftCheckEvery == 0 && !nft_.table_exists("inet", state_->table)) {
            log(kWarn, "isolation: table inet " + state_->table + " was removed outside vigil; re-applying");
            Plan b = build(*state_, false);
            apply_or_throw(b.ruleset);
            rules_ = b.rules;
            cut_connections(b, false);
            ActionEvent ev{
                "isolate", true, "re-applied: the table was removed outside vigil", "reconcile", "", "", 0};
            note(ev);
        }
    } catch (const std::exception& e) {
        log(kError, std::string("isolation: periodic check failed: ") + e.what());
    }
}

void Controller::drive_self_test() {
    if (!state_ || !env_.check_contact) return;
    if (auto timeout_ms = self_test_run_.next_attempt(env_.now_ms())) env_.check_contact(epoch_, *timeout_ms);
}

void Controller::contact_reply(uint64_t epoch, const ContactReply& reply) {
    if (epoch != epoch_ || !state_) return;  // stale: isolation changed meanwhile
    if (auto v = self_test_run_.on_reply(reply, env_.now_ms())) self_test_verdict(*v);
}

void Controller::self_test_verdict(const SelfTestVerdict& v) {
    self_test_detail_ = v.detail;
    if (v.kind == SelfTestVerdict::passed) {
        self_test_ = "passed";
        self_test_ok_ms_ = env_.now_ms();
        log(kInfo, "isolation: self-test passed: " + v.detail);
        refresh_status();
        return;
    }
    if (v.kind == SelfTestVerdict::inconclusive) {
        self_test_ = "inconclusive";
        log(kWarn, "isolation: self-test inconclusive: " + v.detail);
        refresh_status();
        return;
    }
    self_test_ = "failed";
    try {
        release("rollback", "self-test: " + v.detail, "self-test", 0);
    } catch (const std::exception& e) {
        log(kError, std::string("isolation: rollback failed: ") + e.what());
    }
}

void Controller::note(const ActionEvent& in) {
    last_change_ =
        Change{in.action, in.ok ? in.reason : in.reason + ": " + in.error, in.origin, env_.now_ms(), in.ok};
    refresh_status();
    ActionEvent ev = in;
    ev.details_json = status();
    if (env_.publish) env_.publish(ev);
}

void Controller::refresh_status() {
    if (env_.set_status) env_.set_status(status());
}

}  // namespace vigil::isolation
