// The hourly telemetry budget of the established product.
//
// Within one window of an hour (it begins with the first event after the
// previous window ended) at most events_per_hour telemetry events are sent,
// and no single event type may take more than type_threshold_percent of
// events_per_hour (15 % of 3000 = 450 by default), so one noisy kind of
// activity cannot starve the others. The event type is the bus type refined by
// its action ("process_start", "process_exit", "network_connect",
// "network_accept", "network_listen", "network_close", "file_create",
// "file_modify", "file_delete", "file_rename", "file_chmod", "file_chown",
// "file_open"). Every refused event is counted, per reason and per type.
// Detections and action results are never limited.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace kataedr {

class RateLimiter {
public:
    enum class Verdict { accept, drop_total_limit, drop_type_threshold };

    RateLimiter(bool enabled, uint32_t events_per_hour, uint32_t type_threshold_percent);

    // Thread-safe.
    Verdict admit(std::string_view type, uint64_t now_ns);

    uint32_t type_limit() const { return type_limit_; }
    uint64_t dropped() const;
    std::map<std::string, uint64_t> dropped_by_type() const;
    // Status snapshot as JSON object text.
    std::string status_json() const;

private:
    static constexpr uint64_t kWindowNs = 3600ull * 1000000000ull;
    const bool enabled_;
    const uint32_t per_hour_;
    const uint32_t type_limit_;
    mutable std::mutex mu_;
    bool window_open_ = false;
    uint64_t window_start_ns_ = 0;
    uint64_t window_total_ = 0;
    std::map<std::string, uint64_t, std::less<>> window_by_type_;
    uint64_t dropped_total_limit_ = 0;
    uint64_t dropped_type_threshold_ = 0;
    std::map<std::string, uint64_t, std::less<>> dropped_by_type_;
};

}  // namespace kataedr
