// The ban list over time: start (restore), expiry, and the kernel check.
#include <set>
#include <vigil/json_writer.hpp>

#include "policy.hpp"

namespace vigil::network_threat {

namespace {
// How often (in ticks) the kernel is asked whether the table and every ban are still there.
constexpr uint64_t kTableCheckEvery = 2;
constexpr uint64_t kElementCheckEvery = 10;
}  // namespace

std::vector<ActionEvent> Policy::start(DataPlaneSpec base, std::vector<std::string>& warnings) {
    std::lock_guard<std::mutex> g(mu_);
    base_ = std::move(base);
    std::vector<ActionEvent> events;
    const auto loaded = ledger_.load();
    warnings.insert(warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
    const int64_t now = now_();
    // Bans the kernel still holds but the ledger lost (a damaged or deleted
    // file) are adopted with the kernel's remaining time, not dropped.
    if (dp_.exists())
        for (const auto& e : dp_.list()) {
            const bool attack = e.set.rfind("attack", 0) == 0;
            if (ledger_.find(e.prefix, attack) || e.expires_ms <= 0) continue;
            ledger_.put(Ban{e.prefix, attack, now, now + e.expires_ms, "recovered from the kernel", "reconcile", 0});
        }
    if (loaded.mode == "block" && !settings_.block) {
        // As in the established product: switching to notify lifts the bans.
        for (auto& b : ledger_.take_all())
            events.push_back(unban_event(b, "action_on_detect switched from block to notify", "settings", 0));
    }
    for (auto& b : ledger_.take_expired(now)) events.push_back(unban_event(b, "expired", "timer", 0));
    stats_.unbans += events.size();
    // One transaction: the remaining bans are in the new table from its first packet.
    dp_.apply(spec_locked(now));
    save_locked();
    if (!ledger_.bans().empty()) {
        ++stats_.restores;
        JsonWriter w;
        w.begin_object()
            .field("reason", "restored at start")
            .field("bans", uint64_t(ledger_.bans().size()))
            .end_object();
        events.push_back(
            ActionEvent{"restore", true, "nft table inet " + dp_.table(), w.take(), "", "reconcile", 0, 0});
    }
    return events;
}

std::optional<ActionEvent> Policy::restore_locked(int64_t now) {
    std::string what;
    size_t restored = 0;
    if (!dp_.exists()) {
        what = "the table was removed outside vigil";
        dp_.apply(spec_locked(now));
        restored = ledger_.bans().size();
    } else if (ticks_ % kElementCheckEvery == 0 && !ledger_.bans().empty()) {
        std::set<std::pair<common::IpPrefix, std::string>> in_kernel;
        for (const auto& e : dp_.list()) in_kernel.insert({e.prefix, e.set});
        for (const auto& [key, b] : ledger_.bans()) {
            if (b.until_ms - now < 1000 || in_kernel.count({b.prefix, set_for(b.prefix, b.attack)})) continue;
            dp_.add({b.prefix, b.until_ms - now}, b.attack);
            ++restored;
        }
        if (!restored) return std::nullopt;
        what = "bans were removed from the kernel's sets outside vigil";
    } else {
        return std::nullopt;
    }
    ++stats_.restores;
    JsonWriter w;
    w.begin_object().field("reason", what).field("bans", uint64_t(restored)).end_object();
    return ActionEvent{"restore", true, "nft table inet " + dp_.table(), w.take(), "", "reconcile", 0, 0};
}

std::vector<ActionEvent> Policy::tick() {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<ActionEvent> events;
    const int64_t now = now_();
    auto expired = ledger_.take_expired(now);
    for (auto& b : expired) {
        // The kernel expires the element itself; removing it too keeps the
        // end exact even where the kernel's clock rounds up.
        try {
            dp_.remove(b.prefix, b.attack);
        } catch (const std::exception&) {
        }
        events.push_back(unban_event(b, "expired", "timer", 0));
        ++stats_.unbans;
    }
    if (!expired.empty()) save_locked();
    if (++ticks_ % kTableCheckEvery == 0) {
        try {
            if (auto e = restore_locked(now)) events.push_back(std::move(*e));
        } catch (const std::exception& ex) {
            ++stats_.failures;
            events.push_back(ActionEvent{"restore", false, "nft table inet " + dp_.table(), "{}", ex.what(),
                                         "reconcile", 0, 0});
        }
    }
    return events;
}

}  // namespace vigil::network_threat
