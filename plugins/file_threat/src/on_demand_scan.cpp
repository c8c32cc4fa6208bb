#include "on_demand_scan.hpp"

#include <stdexcept>

#include <vigil/sdk.hpp>

namespace vigil::file_threat {

using vigil::json_escape;

std::string ScanJobSummary::progress_json(bool done) const {
    return "{\"job_id\":" + std::to_string(job_id) + ",\"done\":" + (done ? "true" : "false") +
           ",\"files\":" + std::to_string(files) + ",\"scanned\":" + std::to_string(scanned) +
           ",\"infected\":" + std::to_string(infected) + ",\"skipped\":" + std::to_string(skipped) +
           ",\"excluded\":" + std::to_string(excluded) + ",\"errors\":" + std::to_string(errors) +
           ",\"cancelled\":" + (cancelled ? "true" : "false") + ",\"elapsed_ms\":" + std::to_string(elapsed_ms) +
           "}";
}

std::string ScanJobSummary::to_json() const {
    std::string out = progress_json(true);
    out.pop_back();
    out += ",\"detections\":[";
    for (size_t i = 0; i < detections.size(); ++i) {
        const auto& d = detections[i];
        out += (i ? "," : "");
        out += "{\"path\":\"" + json_escape(d.path) + "\",\"threat_id\":" + std::to_string(d.threat_id) +
               ",\"detections\":" + detections_json(d.detections) + ",\"actions\":[";
        for (size_t j = 0; j < d.actions.size(); ++j) {
            const auto& a = d.actions[j];
            out += (j ? "," : "");
            out += "{\"action\":\"" + std::string(action_name(a.action)) + "\",\"ok\":" + (a.ok ? "true" : "false") +
                   ",\"error\":\"" + json_escape(a.error) + "\",\"details\":" +
                   (a.details_json.empty() ? "{}" : a.details_json) + "}";
        }
        out += "]}";
    }
    out += "],\"error_list\":[";
    for (size_t i = 0; i < error_list.size(); ++i)
        out += std::string(i ? "," : "") + "{\"path\":\"" + json_escape(error_list[i].first) + "\",\"error\":\"" +
               json_escape(error_list[i].second) + "\"}";
    return out + "]}";
}

ScanJobSummary run_scan_job(uint64_t job_id, const ScanJobRequest& req, Protector& protector,
                            const Exclusions& exclusions, const ThreatContext& base, const std::atomic<bool>& cancel,
                            const std::function<void(const ScanJobSummary&, bool done)>& on_progress) {
    ScanJobSummary s;
    s.job_id = job_id;
    const auto t0 = Clock::now();
    auto last = t0;
    auto elapsed = [&] {
        return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
    };
    auto note_error = [&](const std::string& path, const std::string& why) {
        s.errors++;
        if (s.error_list.size() < 100) s.error_list.emplace_back(path, why);
    };
    WalkCounters counters;
    walk_files(
        req.paths, req.recursive, exclusions, cancel,
        [&](const std::string& path) {
            FileScanResult r = protector.scan_path(path, req.actions, base, cancel);
            switch (r.outcome) {
            case ScanOutcome::Clean: s.scanned++; break;
            case ScanOutcome::Infected:
                s.scanned++;
                s.infected++;
                s.detections.push_back(std::move(r));
                break;
            case ScanOutcome::TimedOut: note_error(path, "scan time limit exceeded"); break;
            case ScanOutcome::Cancelled: break;
            case ScanOutcome::Error: note_error(path, r.error); break;
            }
            if (Clock::now() - last >= std::chrono::seconds(1)) {
                last = Clock::now();
                s.files = counters.files;
                s.excluded = counters.excluded;
                s.elapsed_ms = elapsed();
                on_progress(s, false);
            }
        },
        [&](const std::string& path, const std::string& why) { note_error(path, why); }, counters);
    s.files = counters.files;
    s.excluded = counters.excluded;
    s.cancelled = cancel.load();
    s.elapsed_ms = elapsed();
    on_progress(s, true);
    return s;
}

}  // namespace vigil::file_threat
