#include "policy.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <vigil/common/time.hpp>
#include <vigil/json_writer.hpp>

namespace vigil::network_threat {

namespace {
constexpr int64_t kMinuteMs = 60000;
constexpr size_t kLatencySamples = 1024;
}  // namespace

std::string_view action_name(Action a) {
    static constexpr std::array<std::string_view, 8> kNames = {"blocked",         "attack_traffic_dropped",
                                                               "already_blocked", "notified",
                                                               "excluded",        "never_block",
                                                               "cap_reached",     "block_failed"};
    return kNames[size_t(a)];
}

Policy::Policy(Settings settings, DataPlane& dp, Ledger& ledger, Clock now)
    : settings_(std::move(settings)), dp_(dp), ledger_(ledger), now_(std::move(now)) {
    if (!now_) now_ = [] { return common::realtime_ms(); };
}

const common::IpPrefix* Policy::excluded(const common::IpAddress& a) const {
    const auto u = a.unmapped();
    for (const auto& p : settings_.exclude_ips)
        if (p.contains(u)) return &p;
    return nullptr;
}

common::IpPrefix Policy::ban_prefix(const common::IpAddress& a) const {
    const auto u = a.unmapped();
    // The attack-traffic sets hold addresses only; /64 aggregation is for listed bans.
    if (u.is_v6() && settings_.ipv6_block_prefix == 64 && settings_.block_attacking_hosts) {
        const auto net = common::IpPrefix::of(u, 64);
        // A /64 that holds a protected or excluded address is never banned whole.
        const bool holds_excluded =
            std::any_of(settings_.exclude_ips.begin(), settings_.exclude_ips.end(),
                        [&](const common::IpPrefix& e) { return net.covers(e) || e.covers(net); });
        if (!never_.overlaps(net) && !holds_excluded) return net;
    }
    return common::IpPrefix::of(u, u.bits());
}

Decision Policy::on_finding(const Finding& f, uint64_t threat_id) {
    std::lock_guard<std::mutex> g(mu_);
    Decision d;
    const auto& src = f.evidence.source;
    if (class_info(f.cls).host_level || src.empty()) {
        d.reason = "host-level finding: nobody to block";
        return d;
    }
    if (auto* p = excluded(src)) {
        d.action = Action::excluded;
        d.reason = "in exclude_ips (" + p->text() + ")";
        return d;
    }
    if (auto* p = never_.match(src)) {
        d.action = Action::never_block;
        d.reason = p->why;
        return d;
    }
    if (!settings_.block) {
        d.reason = "action_on_detect is notify";
        return d;
    }
    if (f.notify_only) {
        d.reason = f.notify_reason;
        return d;
    }
    return ban_locked(f, threat_id, now_());
}

Decision Policy::ban_locked(const Finding& f, uint64_t threat_id, int64_t now) {
    Decision d;
    const auto t0 = std::chrono::steady_clock::now();
    const auto prefix = ban_prefix(f.evidence.source);
    const bool attack = !settings_.block_attacking_hosts;
    if (const Ban* b = ledger_.find(prefix, attack)) {
        d.action = Action::already_blocked;
        d.ban = *b;
        return d;
    }
    while (!recent_bans_.empty() && now - recent_bans_.front() >= kMinuteMs) recent_bans_.pop_front();
    if (recent_bans_.size() >= settings_.max_new_bans_per_minute) {
        d.action = Action::cap_reached;
        d.reason =
            "max_new_bans_per_minute (" + std::to_string(settings_.max_new_bans_per_minute) + ") reached";
        ++stats_.capped;
        if (now - last_cap_event_ms_ >= kMinuteMs) {
            last_cap_event_ms_ = now;
            ActionEvent e{"block",  false,    prefix.text(), "{\"reason\":\"cap_reached\"}",
                          d.reason, "policy", threat_id,     0};
            d.events.push_back(e);
        }
        return d;
    }
    Ban b{prefix,
          attack,
          now,
          now + int64_t(settings_.block_duration_minutes) * kMinuteMs,
          std::string(f.rule_id.empty() ? class_info(f.cls).name : f.rule_id),
          "policy",
          threat_id};
    ActionEvent e = add_ban_locked(b, "");
    d.ban_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!e.ok) {
        d.action = Action::block_failed;
        d.reason = e.error;
    } else {
        d.action = attack ? Action::attack_dropped : Action::blocked;
        d.ban = b;
        recent_bans_.push_back(now);
        stats_.ban_ms.push_back(d.ban_ms);
        ban_latency_.observe(d.ban_ms / 1000.0);
        if (stats_.ban_ms.size() > kLatencySamples) stats_.ban_ms.erase(stats_.ban_ms.begin());
    }
    d.events.push_back(std::move(e));
    return d;
}

ActionEvent Policy::add_ban_locked(Ban b, const std::string& details_extra) {
    const int64_t now = now_();
    JsonWriter w;
    w.begin_object()
        .field("until_ms", int64_t(b.until_ms))
        .field("minutes", int64_t((b.until_ms - b.since_ms + 59999) / kMinuteMs))
        .field("reason", b.reason)
        .field("attack_traffic_only", b.attack)
        .field("set", set_for(b.prefix, b.attack));
    if (!details_extra.empty()) w.raw_field("note", details_extra);
    w.end_object();
    ActionEvent e{"block", true, b.prefix.text(), w.take(), "", b.origin, b.threat_id, 0};
    try {
        dp_.add({b.prefix, b.until_ms - now}, b.attack);
    } catch (const std::exception& ex) {
        e.ok = false;
        e.error = ex.what();
        ++stats_.failures;
        return e;
    }
    ledger_.put(std::move(b));
    ++stats_.bans;
    save_locked();
    return e;
}

ActionEvent Policy::unban_event(const Ban& b, const std::string& reason, const std::string& origin,
                                uint64_t corr) const {
    JsonWriter w;
    w.begin_object()
        .field("reason", reason)
        .field("banned_for", b.reason)
        .field("since_ms", int64_t(b.since_ms))
        .field("until_ms", int64_t(b.until_ms))
        .field("attack_traffic_only", b.attack)
        .end_object();
    return ActionEvent{"unblock", true, b.prefix.text(), w.take(), "", origin, b.threat_id, corr};
}

void Policy::save_locked() {
    try {
        ledger_.save(settings_.mode());
    } catch (const std::exception&) {
        // The kernel still enforces; the next change retries the write.
        ++stats_.failures;
    }
}

DataPlaneSpec Policy::spec_locked(int64_t now) const {
    DataPlaneSpec s = base_;
    s.allow = never_.prefixes();
    s.allow.insert(s.allow.end(), settings_.exclude_ips.begin(), settings_.exclude_ips.end());
    s.bans.clear();
    s.attack.clear();
    for (const auto& [key, b] : ledger_.bans()) {
        if (b.until_ms <= now) continue;
        (b.attack ? s.attack : s.bans).push_back({b.prefix, b.until_ms - now});
    }
    return s;
}

void Policy::set_protected(std::vector<Protected> entries) {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<common::IpPrefix> before = never_.prefixes();
    never_.assign(std::move(entries));
    if (never_.prefixes() == before || !dp_.exists()) return;
    try {
        dp_.set_allow(spec_locked(now_()).allow);
    } catch (const std::exception&) {
        ++stats_.failures;
    }
}

Policy::Stats Policy::stats() {
    std::lock_guard<std::mutex> g(mu_);
    return stats_;
}

size_t Policy::listed() {
    std::lock_guard<std::mutex> g(mu_);
    return ledger_.listed();
}

std::vector<Protected> Policy::protected_entries() {
    std::lock_guard<std::mutex> g(mu_);
    return never_.entries();
}

}  // namespace vigil::network_threat
