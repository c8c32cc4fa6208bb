#include "status.hpp"

#include <vigil/json_writer.hpp>

#include "connector_metrics.hpp"

namespace vigil::kataedr {

namespace {

using vigil::json_escape;

std::string servers_json(const Settings& settings) {
    std::string servers = "[";
    for (size_t i = 0; i < settings.servers.size(); ++i)
        servers += (i ? ",\"" : "\"") + json_escape(settings.servers[i].text) + "\"";
    return servers + "]";
}

std::string spool_json(const Spool& spool) {
    return "{\"batches\":" + std::to_string(spool.batches()) + ",\"bytes\":" + std::to_string(spool.bytes()) +
           ",\"events\":" + std::to_string(spool.events()) + ",\"max_bytes\":" + std::to_string(spool.max_bytes()) +
           ",\"dropped_events\":" + std::to_string(spool.dropped_events()) +
           ",\"dropped_batches\":" + std::to_string(spool.dropped_batches()) + "}";
}

std::string telemetry_json(const StatusInputs& in) {
    const auto& pc = in.pipeline;
    const auto& uc = in.uploads;
    return "{\"enabled\":" + std::string(in.settings.telemetry_enabled ? "true" : "false") +
           ",\"received\":" + std::to_string(pc.received.load()) +
           ",\"accepted\":" + std::to_string(pc.accepted.load()) +
           ",\"excluded\":" + std::to_string(pc.excluded.load()) +
           ",\"rate_limited\":" + std::to_string(pc.rate_limited.load()) +
           ",\"malformed\":" + std::to_string(pc.malformed.load()) +
           ",\"oversize\":" + std::to_string(pc.oversize.load()) +
           ",\"detection_tree_events\":" + std::to_string(pc.protected_events.load()) +
           ",\"detection_trees\":" + std::to_string(in.trees.protected_count()) +
           ",\"limit_notices\":" + std::to_string(pc.limit_notices.load()) +
           ",\"batches_split\":" + std::to_string(uc.batches_split.load()) +
           ",\"events_sent\":" + std::to_string(uc.events_sent.load()) +
           ",\"batches_sent\":" + std::to_string(uc.batches_sent.load()) +
           ",\"duplicate_batches\":" + std::to_string(uc.duplicates.load()) +
           ",\"batches_rejected\":" + std::to_string(uc.batches_rejected.load()) +
           ",\"events_rejected\":" + std::to_string(uc.events_rejected.load()) +
           ",\"syncs\":" + std::to_string(uc.syncs.load()) +
           ",\"next_batch_seq\":" + std::to_string(in.next_batch_seq) + "}";
}

std::string tasks_json(const StatusInputs& in) {
    const auto& tc = in.tasks;
    return "{\"received\":" + std::to_string(tc.received.load()) +
           ",\"repeated\":" + std::to_string(tc.repeated.load()) +
           ",\"succeeded\":" + std::to_string(tc.succeeded.load()) +
           ",\"failed\":" + std::to_string(tc.failed.load()) +
           ",\"unanswerable\":" + std::to_string(tc.unanswerable.load()) +
           ",\"results_posted\":" + std::to_string(tc.results_posted.load()) +
           ",\"files_uploaded\":" + std::to_string(tc.files_uploaded.load()) +
           ",\"signed_tasks_required\":" + (in.settings.task_signing_keys.empty() ? "false" : "true") +
           ",\"results_queued\":" + std::to_string(in.queued_results) + "}";
}

}  // namespace

std::string status_json(const StatusInputs& in) {
    std::string conn = in.connection.json();  // {"server":..,...}
    std::string servers = servers_json(in.settings);
    // The connector-contact contract first (read by other plugins, e.g. isolation).
    std::string contact = in.connection.contact_json();  // {"last_contact_ns":..,...,"central":".."}
    contact.insert(contact.size() - 1, ",\"servers\":" + servers);
    std::string s = "{\"connector\":" + contact + ",\"agent_id\":\"" + json_escape(in.agent_id) + "\",";
    s += conn.substr(1, conn.size() - 2);
    s += ",\"servers\":" + servers;
    s += ",\"proxy\":" + (in.proxy ? "\"" + json_escape(in.proxy->host) + ":" + std::to_string(in.proxy->port) + "\""
                                   : std::string("null"));
    s += ",\"tls\":{\"server_trust\":\"" + std::string(in.tls.pinned() ? "pinned certificate" : "CA") +
         "\",\"mutual_auth\":" + (in.settings.mutual_auth ? "true" : "false") + "}";
    s += ",\"identity\":" + in.identity.status_json();
    s += ",\"spool\":" + spool_json(in.spool);
    s += ",\"telemetry\":" + telemetry_json(in);
    s += ",\"rate_limit\":" + in.limiter.status_json();
    s += ",\"drops\":{\"spool\":" + std::to_string(in.spool.dropped_events()) +
         ",\"rate_limit\":" + std::to_string(in.limiter.dropped()) + "}";
    s += ",\"tasks\":" + tasks_json(in);
    s += ",\"metrics\":" +
         connector_metrics_json({in.spool, in.uploads, in.tasks, in.connection, in.limiter.dropped()}) + "}";
    return s;
}

}  // namespace vigil::kataedr
