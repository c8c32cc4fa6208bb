#include "status.hpp"

#include <algorithm>
#include <vigil/common/status_metrics.hpp>
#include <vigil/json_writer.hpp>

namespace vigil::network_threat {

namespace {
constexpr size_t kProtectedShown = 32;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size() - 1) + 0.5));
    return v[i];
}

std::string status_json(const StatusInput& in) {
    const Settings& s = *in.settings;
    const SensorCounters& c = *in.sensor;
    JsonWriter w;
    w.begin_object()
        .field("detecting", in.error.empty())
        .field("error", in.error)
        .field("mode", s.mode())
        .field("block_attacking_hosts", s.block_attacking_hosts)
        .field("block_duration_minutes", uint64_t(s.block_duration_minutes))
        .field("table", s.table)
        .field("nflog_group", uint64_t(s.nflog_group))
        .field("bans", uint64_t(in.bans))
        .field("banned_packets", uint64_t(in.banned_packets))
        .field("signature_rules", uint64_t(in.rules));
    w.key("packets")
        .begin_object()
        .field("logged", c.records.load())
        .field("lost_reports", c.lost.load())
        .field("malformed", c.decode_errors.load())
        .field("foreign", c.unknown_signal.load())
        .field("noise", c.noise.load())
        .field("signature_hits", c.signature_hits.load())
        .end_object();
    w.field("tracked_sources", c.tracked_sources.load()).field("findings", c.findings.load());
    w.key("findings_by_class").begin_object();
    for (const auto& [k, v] : in.findings_by_class) w.field(k, uint64_t(v));
    w.end_object();
    w.key("policy")
        .begin_object()
        .field("bans_added", in.policy.bans)
        .field("bans_lifted", in.policy.unbans)
        .field("restores", in.policy.restores)
        .field("capped", in.policy.capped)
        .field("failures", in.policy.failures)
        .field("ban_ms_p50", percentile(in.policy.ban_ms, 50))
        .field("ban_ms_p99", percentile(in.policy.ban_ms, 99))
        .end_object();
    w.key("never_block").begin_array();
    for (size_t i = 0; i < in.protected_entries.size() && i < kProtectedShown; ++i)
        w.begin_object()
            .field("prefix", in.protected_entries[i].prefix.text())
            .field("why", in.protected_entries[i].why)
            .end_object();
    w.end_array().field("never_block_count", uint64_t(in.protected_entries.size()));
    w.raw_field("metrics", metrics_json(in));
    w.end_object();
    return w.take();
}

std::string metrics_json(const StatusInput& in) {
    const SensorCounters& c = *in.sensor;
    common::StatusMetrics m;
    for (const auto& [cls, n] : in.findings_by_class)
        m.counter("vigil_network_threat_detections_total", "Threat reports by detection class",
                  {{"class", cls}}, n);
    const auto actions = "Ban decisions by outcome";
    m.counter("vigil_network_threat_decisions_total", actions, {{"action", "ban_added"}}, in.policy.bans)
        .counter("vigil_network_threat_decisions_total", actions, {{"action", "ban_lifted"}},
                 in.policy.unbans)
        .counter("vigil_network_threat_decisions_total", actions, {{"action", "cap_reached"}},
                 in.policy.capped)
        .counter("vigil_network_threat_decisions_total", actions, {{"action", "restore"}}, in.policy.restores)
        .counter("vigil_network_threat_decisions_total", actions, {{"action", "failed"}}, in.policy.failures);
    m.counter("vigil_network_threat_evidence_packets_total",
              "Packets the kernel handed to the plugin as evidence", {}, c.records.load());
    const auto discarded =
        "Evidence packets set aside: malformed, or noise (late replies, broadcast services)";
    m.counter("vigil_network_threat_evidence_discarded_total", discarded, {{"reason", "malformed"}},
              c.decode_errors.load())
        .counter("vigil_network_threat_evidence_discarded_total", discarded, {{"reason", "noise"}},
                 c.noise.load());
    m.counter("vigil_network_threat_evidence_lost_total",
              "NFLOG overruns: evidence the kernel could not hand over (ENOBUFS)", {}, c.lost.load());
    m.counter("vigil_network_threat_signature_hits_total", "Signature rule matches", {},
              c.signature_hits.load());
    m.counter("vigil_network_threat_banned_packets_total",
              "Packets dropped by the ban sets (read once a minute)", {}, in.banned_packets);
    if (in.ban_latency)
        m.histogram("vigil_network_threat_ban_duration_seconds",
                    "Decision to element in the kernel's ban set", {}, *in.ban_latency);
    return m.json();
}

}  // namespace vigil::network_threat
