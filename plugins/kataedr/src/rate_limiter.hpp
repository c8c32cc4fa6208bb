// The hourly telemetry budget, fair between users.
//
// Within one window of an hour (it begins with the first event after the previous window
// ended) at most events_per_hour telemetry events are sent. The budget is shared fairly:
//   - each owner (the user id of the acting process) may take at most
//     owner_share_percent of events_per_hour, so one user flooding cannot use up what
//     the others need;
//   - within an owner, no single event type may take more than type_threshold_percent of
//     events_per_hour (15 % of 3000 = 450 by default), so one noisy kind of activity
//     cannot starve the others.
// The event type is the bus type refined by its action ("process_start",
// "network_connect", "file_modify", ...). Every refused event is counted, per reason and
// per type. When an (owner, type) starts dropping in a window, a notice is queued (the
// pipeline sends it as a "telemetry_limited" event), and when a window with drops ends,
// a summary notice with the final counts. Detections, action results and the telemetry
// of a process tree with a detection never come here.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::kataedr {

class RateLimiter {
public:
    enum class Verdict { accept, drop_total_limit, drop_type_threshold, drop_owner_share };

    struct Options {
        bool enabled = true;
        uint32_t events_per_hour = 3000;
        uint32_t type_threshold_percent = 15;
        uint32_t owner_share_percent = 100;  // 100: no per-owner share
    };
    // What the pipeline tells the central node about limiting.
    struct Notice {
        bool summary = false;  // false: an (owner, type) started dropping; true: a window ended
        uint32_t owner = 0;
        std::string type;
        std::string reason;         // "owner_share" | "type_threshold" | "total_limit" | "window_end"
        uint64_t window_start_ns = 0;
        uint64_t dropped = 0;       // in this window, for this owner and type (summary: owner total)
        uint64_t limit = 0;
    };

    static constexpr uint32_t kNoOwner = UINT32_MAX;

    RateLimiter(bool enabled, uint32_t events_per_hour, uint32_t type_threshold_percent);
    explicit RateLimiter(Options o);

    // Thread-safe.
    Verdict admit(uint32_t owner, std::string_view type, uint64_t now_ns);
    Verdict admit(std::string_view type, uint64_t now_ns) { return admit(kNoOwner, type, now_ns); }
    // Notices queued since the last call (thread-safe).
    std::vector<Notice> take_notices();
    bool has_notices() const;

    uint32_t type_limit() const { return type_limit_; }
    uint32_t owner_limit() const { return owner_limit_; }
    uint64_t dropped() const;
    std::map<std::string, uint64_t> dropped_by_type() const;
    // Status snapshot as JSON object text.
    std::string status_json() const;

private:
    struct Owner {
        uint64_t total = 0;
        std::map<std::string, uint64_t, std::less<>> by_type;
        std::map<std::string, uint64_t, std::less<>> dropped_by_type;  // this window
        uint64_t dropped = 0;                                           // this window
    };
    static constexpr uint64_t kWindowNs = 3600ull * 1000000000ull;
    static constexpr size_t kMaxOwners = 4096;  // more distinct users share one bucket
    void roll_window_locked(uint64_t now_ns);
    Verdict judge_locked(const Owner& o, std::string_view type) const;
    void count_drop_locked(Owner& o, uint32_t owner, std::string_view type, Verdict v);

    const bool enabled_;
    const uint32_t per_hour_;
    const uint32_t type_limit_;
    const uint32_t owner_limit_;
    mutable std::mutex mu_;
    bool window_open_ = false;
    uint64_t window_start_ns_ = 0;
    uint64_t window_total_ = 0;
    std::map<uint32_t, Owner> owners_;
    std::vector<Notice> notices_;
    uint64_t dropped_total_limit_ = 0;
    uint64_t dropped_type_threshold_ = 0;
    uint64_t dropped_owner_share_ = 0;
    std::map<std::string, uint64_t, std::less<>> dropped_by_type_;
};

const char* verdict_reason(RateLimiter::Verdict v);

}  // namespace vigil::kataedr
