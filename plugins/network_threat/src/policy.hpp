// What happens after a detection, and the ban list's life: the decision
// (block, notify, excluded, never block, cap reached), the ban in the
// kernel and in the ledger, expiry, the operator's block/unblock/list, the
// switch from block to notify, and keeping the kernel's table in line with
// the ledger (restored after a restart, a flushed ruleset or a flushed set).
// Thread-safe: the NFLOG reader and the executor both call it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <vigil/common/status_metrics.hpp>

#include "data_plane.hpp"
#include "finding.hpp"
#include "ledger.hpp"
#include "never_block.hpp"
#include "settings.hpp"

namespace vigil::network_threat {

enum class Action : uint8_t {
    blocked,         // the host was banned
    attack_dropped,  // its attack traffic is dropped, the host is not listed
    already_blocked,
    notified,      // action_on_detect: notify, or a notify-only finding
    excluded,      // exclude_ips
    never_block,   // a protected address
    cap_reached,   // max_new_bans_per_minute
    block_failed,  // the kernel refused
};
std::string_view action_name(Action a);

// An action_result to publish.
struct ActionEvent {
    std::string action;  // block, unblock, restore
    bool ok = true;
    std::string object;  // the address or prefix, or the table
    std::string details_json;
    std::string error;
    std::string origin;
    uint64_t threat_id = 0;
    uint64_t correlation_id = 0;
};

struct Decision {
    Action action = Action::notified;
    std::string reason;
    std::optional<Ban> ban;
    std::vector<ActionEvent> events;
    double ban_ms = 0;  // decision -> element in the kernel set
};

// A refused operator command (bad argument, protected address): EINVAL.
class CommandError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Policy {
public:
    using Clock = std::function<int64_t()>;  // CLOCK_REALTIME ms
    Policy(Settings settings, DataPlane& dp, Ledger& ledger, Clock now = {});

    // Loads the ledger, lifts every ban when the mode went from block to
    // notify, drops what expired while the agent was down, and applies the
    // table with the remaining bans (atomically: no gap in enforcement).
    std::vector<ActionEvent> start(DataPlaneSpec base, std::vector<std::string>& warnings);
    Decision on_finding(const Finding& f, uint64_t threat_id);

    std::string list_json();
    ActionEvent block(std::string_view args_json, const std::string& origin, uint64_t correlation_id,
                      std::string& result);
    ActionEvent unblock(std::string_view args_json, const std::string& origin, uint64_t correlation_id,
                        std::string& result);

    // Once a second: expiry, and every few calls the kernel check.
    std::vector<ActionEvent> tick();
    // New protected addresses (applied to the kernel's allow sets when they changed).
    void set_protected(std::vector<Protected> entries);

    struct Stats {
        uint64_t bans = 0, unbans = 0, restores = 0, capped = 0, failures = 0;
        std::vector<double> ban_ms;  // recent decision -> kernel latencies
    };
    Stats stats();
    // Decision -> element in the kernel set, in seconds (every ban since start).
    const common::Histogram& ban_latency() const { return ban_latency_; }
    size_t listed();
    std::vector<Protected> protected_entries();

private:
    Decision ban_locked(const Finding& f, uint64_t threat_id, int64_t now);
    ActionEvent add_ban_locked(Ban b, const std::string& details_extra);
    ActionEvent unban_event(const Ban& b, const std::string& reason, const std::string& origin,
                            uint64_t corr) const;
    std::optional<ActionEvent> restore_locked(int64_t now);
    void save_locked();
    DataPlaneSpec spec_locked(int64_t now) const;
    const common::IpPrefix* excluded(const common::IpAddress& a) const;
    common::IpPrefix ban_prefix(const common::IpAddress& a) const;

    std::mutex mu_;
    Settings settings_;
    DataPlane& dp_;
    Ledger& ledger_;
    Clock now_;
    DataPlaneSpec base_;
    NeverBlock never_;
    std::deque<int64_t> recent_bans_;  // times of the last minute's policy bans
    int64_t last_cap_event_ms_ = 0;
    uint64_t ticks_ = 0;
    Stats stats_;
    common::Histogram ban_latency_{common::Histogram::local_latency_bounds()};
};

}  // namespace vigil::network_threat
