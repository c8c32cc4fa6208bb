#include "status_report.hpp"

#include <vigil/sdk.hpp>

namespace behavior {

std::string describe_mechanisms(const SensorSet& sensors) {
    std::string out = sensors.mechanism() + " (";
    bool first = true;
    for (const auto& [kind, name] : sensors.by_kind()) {
        if (!first) out += ", ";
        first = false;
        out += kind + ": " + name;
    }
    return out + ")";
}

namespace {

// Hash statuses decided so far, the worker pool, and the events that waited for a job.
std::string hash_json(TelemetryPipeline& pipeline) {
    auto counts = pipeline.completer().status_counts();
    std::string j = "{\"status\":{";
    bool first = true;
    for (uint32_t i = 1; i < counts.size(); ++i) {
        if (i == VIGIL_HASH_PENDING) continue;  // a job's outcome is counted when it ends
        j += std::string(first ? "" : ",") + "\"" + vigil::hash_status_name(i) + "\":" + std::to_string(counts[i]);
        first = false;
    }
    auto w = pipeline.completer().worker_stats();
    auto o = pipeline.output_stats();
    j += "},\"workers\":{\"threads\":" + std::to_string(w.threads) + ",\"busy\":" + std::to_string(w.busy) +
         ",\"queued\":" + std::to_string(w.queued) + ",\"jobs_done\":" + std::to_string(w.done) +
         ",\"refused\":" + std::to_string(w.refused) + ",\"stuck\":" + std::to_string(w.stuck) + "}";
    j += ",\"events_waited\":" + std::to_string(o.queued_total) + ",\"published_before_done\":" +
         std::to_string(o.expired) + ",\"waiting_now\":" + std::to_string(o.queued_now) + "}";
    return j;
}

}  // namespace

std::string status_json(const SensorSet& sensors, const TelemetryPipeline::Counters& c,
                        const ProcessTable::Stats& table, TelemetryPipeline& pipeline, const Settings& settings,
                        const std::string& detection_json) {
    using vigil::json_escape;
    std::string j = "{\"sensor\":\"" + json_escape(sensors.mechanism()) + "\",\"sensor_setting\":\"" +
                    json_escape(settings.sensor) + "\",\"mechanisms\":{";
    bool first = true;
    for (const auto& [kind, name] : sensors.by_kind()) {
        j += std::string(first ? "" : ",") + "\"" + json_escape(kind) + "\":\"" + json_escape(name) + "\"";
        first = false;
    }
    j += "}";
    if (!sensors.fallback_reason().empty())
        j += ",\"fallback_reason\":\"" + json_escape(sensors.fallback_reason()) + "\"";
    if (!sensors.problems().empty()) {
        j += ",\"problems\":[";
        for (size_t i = 0; i < sensors.problems().size(); ++i)
            j += std::string(i ? "," : "") + "\"" + json_escape(sensors.problems()[i]) + "\"";
        j += "]";
    }
    j += ",\"events\":{\"process_start\":" + std::to_string(c.process_start) +
         ",\"process_exit\":" + std::to_string(c.process_exit) + ",\"network\":" + std::to_string(c.network) +
         ",\"file\":" + std::to_string(c.file) + ",\"file_filtered\":" + std::to_string(c.filtered_files) +
         ",\"context_unknown\":" + std::to_string(c.context_unknown) + "}";
    j += ",\"lost_total\":" + std::to_string(c.lost_total) + ",\"lost\":{";
    first = true;
    for (const auto& [why, n] : c.lost) {
        j += std::string(first ? "" : ",") + "\"" + json_escape(why) + "\":" + std::to_string(n);
        first = false;
    }
    j += "}";
    j += ",\"process_table\":{\"live\":" + std::to_string(table.live) + ",\"exited\":" + std::to_string(table.exited) +
         ",\"evicted_live\":" + std::to_string(table.evicted_live) +
         ",\"evicted_exited\":" + std::to_string(table.evicted_exited) + "}";
    ExeHasher& hasher = pipeline.hasher();
    j += ",\"exe_hash_cache\":{\"entries\":" + std::to_string(hasher.cache_size()) +
         ",\"files_hashed\":" + std::to_string(hasher.hashed_files()) +
         ",\"hits\":" + std::to_string(hasher.cache_hits()) +
         ",\"hash_cpu_ms\":" + std::to_string(hasher.hash_cpu_ns() / 1000000) + "}";
    j += ",\"exe_hash\":" + hash_json(pipeline);
    j += ",\"detection\":" + detection_json;
    return j + "}";
}

}  // namespace behavior
