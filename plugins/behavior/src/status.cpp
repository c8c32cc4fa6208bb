#include "status.hpp"

#include <map>

#include <vigil/common/status_metrics.hpp>
#include <vigil/sdk.hpp>

namespace vigil::behavior {

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
         ",\"file_modify_merged\":" + std::to_string(c.file_modify_merged) +
         ",\"file_excluded_mount\":" + std::to_string(c.file_excluded_mount) +
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
    j += ",\"metrics\":" + status_metrics(sensors, c, table, hasher);
    return j + "}";
}

std::string status_metrics(const SensorSet& sensors, const TelemetryPipeline::Counters& c,
                           const ProcessTable::Stats& table, ExeHasher& hasher) {
    vigil::common::StatusMetrics m;
    const char* events = "Events the sensors produced, by event type";
    m.counter("vigil_sensor_events_total", events, {{"type", "process_start"}}, c.process_start)
        .counter("vigil_sensor_events_total", events, {{"type", "process_exit"}}, c.process_exit)
        .counter("vigil_sensor_events_total", events, {{"type", "network"}}, c.network)
        .counter("vigil_sensor_events_total", events, {{"type", "file"}}, c.file);
    // Every reason a sensor can report, at 0 until it happens: "no loss" stays visible.
    std::map<std::string, uint64_t> lost{{"ebpf_ring_buffer_full", 0}, {"ebpf_pending_map_full", 0},
                                         {"fanotify_queue_overflow", 0}, {"netlink_proc_overrun", 0},
                                         {"sock_diag_dump_failed", 0}, {"event_processing_error", 0},
                                         {"publish_refused", 0}};
    for (const auto& [why, n] : c.lost) lost[why] = n;
    for (const auto& [why, n] : lost)
        m.counter("vigil_sensor_events_lost_total", "Sensor events lost before publication, by reason", {{"reason", why}},
                  n);
    for (const auto& [kind, name] : sensors.by_kind())
        m.gauge("vigil_sensor_info", "Sensor mechanism in use per event kind (always 1)",
                {{"kind", kind}, {"mechanism", name}}, 1);
    m.gauge("vigil_behavior_processes", "Process table entries", {{"state", "live"}}, double(table.live))
        .gauge("vigil_behavior_processes", "Process table entries", {{"state", "exited"}}, double(table.exited))
        .counter("vigil_behavior_executables_hashed_total", "Executables hashed (cache misses)", {},
                 hasher.hashed_files());
    return m.json();
}

}  // namespace vigil::behavior
