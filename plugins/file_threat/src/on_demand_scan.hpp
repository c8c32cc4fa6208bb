#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "protector.hpp"
#include "scan_request.hpp"
#include "tree_walk.hpp"

namespace vigil::file_threat {

struct ScanJobSummary {
    uint64_t job_id = 0;
    uint64_t files = 0, scanned = 0, infected = 0, skipped = 0, excluded = 0, errors = 0;
    bool cancelled = false;
    uint64_t elapsed_ms = 0;
    std::vector<FileScanResult> detections;                        // infected files
    std::vector<std::pair<std::string, std::string>> error_list;  // first 100 (path, reason)
    std::string to_json() const;
    std::string progress_json(bool done) const;
};

// Runs a job: walks the paths and scans every file with `protector`.
// on_progress is called about once a second and at the end.
ScanJobSummary run_scan_job(uint64_t job_id, const ScanJobRequest& req, Protector& protector,
                            const Exclusions& exclusions, const ThreatContext& base, const std::atomic<bool>& cancel,
                            const std::function<void(const ScanJobSummary&, bool done)>& on_progress);

}  // namespace vigil::file_threat
