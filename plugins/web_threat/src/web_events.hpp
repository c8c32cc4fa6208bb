// The records the plugin publishes from the worker's reports: a `threat`
// (detector web_threat) for every connection, request or DNS query that
// matched a block list, and an `action_result` (action block) when it was
// refused; in notify mode only the threat. The worker's own health goes out
// as action_result records too (action "intercept": failed when the worker
// died and traffic flows uninspected or is refused, ok when it is back).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vigil/host.hpp>
#include <vigil/json_reader.hpp>

namespace vigil::web_threat {

struct WebCounters {
    std::atomic<uint64_t> blocked{0}, notified{0}, trusted{0}, refused{0}, reports_dropped{0}, unreadable{0};
};

// Publishes the records of one verdict report; counts it. With
// `find_process`, the process holding the client's socket (the report's
// inode) is looked up and named in the threat. The threat id is the one the
// worker numbered the report with (quoted on its block page), else the next
// of `own_ids`.
void publish_verdict(const Host& host, const std::string& report_json, std::atomic<uint64_t>& own_ids,
                     WebCounters& counters, bool find_process);

// The worker went down (`why`) or is intercepting again.
void publish_worker_health(const Host& host, bool up, const std::string& why);

// Whether `report_json` is a worker report {"type":"<type>",...}; if so it
// is parsed into `out` (left null when unreadable).
bool worker_report_of(const std::string& report_json, std::string_view type, json::Value& out);

}  // namespace vigil::web_threat
