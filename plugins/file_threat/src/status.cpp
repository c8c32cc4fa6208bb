#include "status.hpp"

#include <vigil/common/status_metrics.hpp>
#include <vigil/sdk.hpp>

namespace vigil::file_threat {

namespace {
std::string b(bool v) { return v ? "true" : "false"; }
std::string n(uint64_t v) { return std::to_string(v); }
}  // namespace

std::string status_json(const StatusInputs& in) {
    const Protector& p = *in.protector;
    auto engines = p.engines();
    auto prevention = p.prevention();
    const VerdictCache& cache = p.cache();
    const bool yara = engines && engines->yara && !engines->yara->empty();
    const double lookups = double(cache.hits() + cache.misses());

    std::string s = "{\"engines\":{\"yara\":{\"loaded\":" + b(yara) +
                    ",\"rules\":" + n(yara ? engines->yara->rule_count() : 0) +
                    ",\"files\":" + n(yara ? engines->yara->files().size() : 0) +
                    "},\"hash\":{\"md5\":" + n(engines ? engines->hashes.md5_count() : 0) +
                    ",\"sha1\":" + n(engines ? engines->hashes.sha1_count() : 0) +
                    ",\"sha256\":" + n(engines ? engines->hashes.sha256_count() : 0) +
                    "},\"eicar\":" + b(engines && engines->eicar) + "}";
    s += ",\"cache\":{\"entries\":" + n(cache.size()) + ",\"hits\":" + n(cache.hits()) +
         ",\"misses\":" + n(cache.misses()) +
         ",\"hit_rate\":" + std::to_string(lookups > 0 ? double(cache.hits()) / lookups : 0.0) + "}";
    s += ",\"prevention\":{\"enabled\":" + b(in.execution_prevention) +
         ",\"sha256\":" + n(prevention ? prevention->sha256_count() : 0) +
         ",\"md5\":" + n(prevention ? prevention->md5_count() : 0) + "}";
    s += ",\"on_access\":{\"running\":" + b(in.monitor && in.monitor->running());
    if (const FanotifyMonitor* m = in.monitor) {
        const auto& st = m->stats();
        s += ",\"marks\":[";
        auto marks = m->marks();
        for (size_t i = 0; i < marks.size(); ++i) s += (i ? ",\"" : "\"") + vigil::json_escape(marks[i]) + "\"";
        s += "],\"skipped\":[";
        auto skipped = m->skipped();
        for (size_t i = 0; i < skipped.size(); ++i)
            s += (i ? ",\"" : "\"") + vigil::json_escape(skipped[i]) + "\"";
        s += "],\"permission_events\":" + n(st.permission_events) +
             ",\"close_write_events\":" + n(st.close_write_events) + ",\"scans\":" + n(st.scans) +
             ",\"coalesced_writes\":" + n(st.coalesced_writes) + ",\"allowed_cached\":" + n(st.allowed_cached) +
             ",\"denied_cached\":" + n(st.denied_cached) + ",\"denied\":" + n(st.denied) +
             ",\"timeouts\":" + n(st.timeouts) + ",\"excluded\":" + n(st.excluded) +
             ",\"queue_full\":" + n(st.queue_full) +
             ",\"own_events\":" + n(st.own_events) + ",\"kernel_cache_marks\":" + n(st.kernel_cache_marks) +
             ",\"kernel_cache_flushes\":" + n(st.kernel_cache_flushes) + ",\"pending\":" + n(m->pending()) +
             ",\"errors\":" + n(st.errors) + ",\"failed_closed\":" + n(st.failed_closed) +
             ",\"interpreter_opens\":" + n(st.interpreter_opens) + ",\"opens_passed\":" + n(st.opens_passed);
    }
    s += "},\"threats\":" + n(in.threats) + ",\"actions_ok\":" + n(in.actions_ok) +
         ",\"actions_failed\":" + n(in.actions_failed) + ",\"scan_errors\":" + n(p.scan_errors()) +
         ",\"partial_scans\":" + n(p.partial_scans()) + ",\"changed_during_scan\":" + n(p.changed_during_scan()) +
         ",\"reload_error\":\"" + vigil::json_escape(in.reload_error) + "\"";
    s += ",\"on_demand\":{\"running\":" + n(in.running_scans);
    if (!in.last_scan_json.empty()) s += ",\"last\":" + in.last_scan_json;
    return s + "},\"metrics\":" + status_metrics(in) + "}";
}

std::string status_metrics(const StatusInputs& in) {
    vigil::common::StatusMetrics m;
    const char* decisions = "Answers to fanotify permission events (open/exec)";
    const FanotifyMonitor* mon = in.monitor;
    m.counter("vigil_file_threat_decisions_total", decisions, {{"decision", "allow"}},
              mon ? mon->stats().answered_allow.load() : 0)
        .counter("vigil_file_threat_decisions_total", decisions, {{"decision", "deny"}},
                 mon ? mon->stats().answered_deny.load() : 0);
    const VerdictCache& cache = in.protector->cache();
    m.counter("vigil_file_threat_cache_lookups_total", "Verdict cache lookups", {{"result", "hit"}}, cache.hits())
        .counter("vigil_file_threat_cache_lookups_total", "Verdict cache lookups", {{"result", "miss"}}, cache.misses())
        .gauge("vigil_file_threat_on_demand_scans", "On-demand scans running", {}, double(in.running_scans));
    if (!mon) return m.json();
    const auto& st = mon->stats();
    m.histogram("vigil_file_threat_decision_duration_seconds",
                "Time from reading a permission event to answering it", {}, st.decision_seconds)
        .gauge("vigil_file_threat_pending", "Accesses waiting for a verdict", {}, double(mon->pending()));
    const char* outcomes = "On-access events by what happened to them";
    std::pair<const char*, uint64_t> rows[] = {
        {"allowed_cached", st.allowed_cached}, {"denied_cached", st.denied_cached}, {"scanned", st.scans},
        {"denied_scan", st.denied}, {"timeout", st.timeouts}, {"excluded", st.excluded},
        {"failed_closed", st.failed_closed}, {"queue_full", st.queue_full}, {"own_process", st.own_events},
        {"interpreter_open", st.interpreter_opens}, {"open_passed", st.opens_passed},
        {"coalesced_write", st.coalesced_writes}, {"error", st.errors}};
    for (const auto& [outcome, v] : rows)
        m.counter("vigil_file_threat_on_access_total", outcomes, {{"outcome", outcome}}, v);
    return m.json();
}

}  // namespace vigil::file_threat
