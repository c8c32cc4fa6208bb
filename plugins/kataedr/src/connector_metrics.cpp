#include "connector_metrics.hpp"

#include <vigil/common/status_metrics.hpp>

namespace vigil::kataedr {

std::string connector_metrics_json(const ConnectorMetricsInputs& in) {
    vigil::common::StatusMetrics m;
    const auto& u = in.uploads;
    m.gauge("vigil_uploader_spool_bytes", "Telemetry waiting on disk for the central node", {}, double(in.spool.bytes()))
        .gauge("vigil_uploader_spool_limit_bytes", "Spool size limit", {}, double(in.spool.max_bytes()))
        .gauge("vigil_uploader_spool_batches", "Batches waiting on disk", {}, double(in.spool.batches()));
    const char* batches = "Telemetry batches by what the central node did with them";
    m.counter("vigil_uploader_batches_total", batches, {{"result", "stored"}}, u.batches_sent)
        .counter("vigil_uploader_batches_total", batches, {{"result", "duplicate"}}, u.duplicates)
        .counter("vigil_uploader_batches_total", batches, {{"result", "rejected"}}, u.batches_rejected)
        .counter("vigil_uploader_events_sent_total", "Events the central node stored", {}, u.events_sent);
    const char* dropped = "Events dropped before reaching the central node, by reason";
    m.counter("vigil_uploader_events_dropped_total", dropped, {{"reason", "spool_full"}}, in.spool.dropped_events())
        .counter("vigil_uploader_events_dropped_total", dropped, {{"reason", "rate_limit"}}, in.rate_limited)
        .counter("vigil_uploader_events_dropped_total", dropped, {{"reason", "rejected"}}, u.events_rejected);
    m.histogram("vigil_uploader_upload_duration_seconds", "Round trip of one telemetry batch upload", {},
                u.upload_seconds);
    const uint64_t last = in.connection.last_success_ns();
    m.gauge("vigil_uploader_last_success_timestamp_seconds",
            "Unix time of the last successful exchange with the central node (0 = none yet)", {},
            double(last / 1000000) / 1000.0)
        .gauge("vigil_uploader_connected", "1 when the last exchange with the central node worked", {},
               in.connection.connected() ? 1 : 0);
    const char* tasks = "Central-node tasks by outcome";
    m.counter("vigil_tasks_total", tasks, {{"result", "succeeded"}}, in.tasks.succeeded)
        .counter("vigil_tasks_total", tasks, {{"result", "failed"}}, in.tasks.failed)
        .counter("vigil_tasks_total", tasks, {{"result", "unanswerable"}}, in.tasks.unanswerable);
    return m.json();
}

}  // namespace vigil::kataedr
