#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fanotify_monitor.hpp"
#include "protector.hpp"

namespace vigil::file_threat {

// Everything `vigilctl status` shows for the plugin.
struct StatusInputs {
    const Protector* protector = nullptr;
    const FanotifyMonitor* monitor = nullptr;  // nullptr when on-access scanning is off
    bool execution_prevention = true;
    uint64_t threats = 0, actions_ok = 0, actions_failed = 0;
    size_t running_scans = 0;
    std::string last_scan_json;  // progress JSON of the last on-demand scan, or ""
    std::string reload_error;
};

// The status JSON object: engines, cache, prevention list, on-access
// counters, threat/action counters, on-demand scans.
std::string status_json(const StatusInputs& in);
// The "metrics" array of the status (vigil/common/status_metrics.hpp).
std::string status_metrics(const StatusInputs& in);

}  // namespace vigil::file_threat
