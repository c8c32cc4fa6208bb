#include "threat_report.hpp"

#include <vigil/common/time.hpp>
#include <vigil/json_writer.hpp>

namespace vigil::network_threat {

namespace {

std::string source_text(const Finding& f) {
    return f.evidence.source.empty() ? std::string("many sources") : f.evidence.source.text();
}

std::string action_text(const Decision& d) {
    switch (d.action) {
        case Action::blocked:
        case Action::already_blocked:
            return d.ban ? "blocked until " + common::format_rfc3339(d.ban->until_ms * 1000000) : "blocked";
        case Action::attack_dropped:
            return "its attack traffic is dropped";
        default:
            return std::string(action_name(d.action)) + (d.reason.empty() ? "" : " (" + d.reason + ")");
    }
}

}  // namespace

std::string target_text(uint32_t target) {
    if (target & 0x01000000u) return "protocol " + std::to_string(target & 0xff);
    const uint32_t proto = target >> 16, port = target & 0xffff;
    const char* name = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 132 ? "sctp" : nullptr;
    return (name ? std::string(name) : "protocol " + std::to_string(proto)) + "/" + std::to_string(port);
}

std::string threat_title(const Finding& f) {
    const std::string what = f.title.empty() ? std::string(class_info(f.cls).title) : f.title;
    return what + (f.evidence.source.empty() ? " against this host" : " from " + f.evidence.source.text());
}

std::string threat_description(const Finding& f, const Decision& d) {
    const auto& e = f.evidence;
    std::string s = source_text(f) + ": " + std::string(class_info(f.cls).title);
    if (!e.technique.empty()) s += " (" + e.technique + ")";
    if (!e.destination.empty()) s += " against " + e.destination.text();
    if (e.distinct) s += ", " + std::to_string(e.distinct) + " distinct targets";
    if (e.window_s) s += " within " + std::to_string(e.window_s) + " s";
    if (!f.first) s += " (continuing)";
    return s + "; action: " + action_text(d) + ".";
}

std::string evidence_json(const Finding& f, const Decision& d) {
    const auto& e = f.evidence;
    const auto& info = class_info(f.cls);
    JsonWriter w;
    w.begin_object()
        .field("class", info.name)
        .field("mitre_technique", info.technique)
        .field("technique", e.technique)
        .field("tier", tier_name(e.tier))
        .field("window_s", uint64_t(e.window_s))
        .field("source", e.source.empty() ? std::string() : e.source.text())
        .field("destination", e.destination.empty() ? std::string() : e.destination.text())
        .field("packets", uint64_t(e.packets))
        .field("distinct_targets", uint64_t(e.distinct));
    w.key("targets").begin_array();
    for (uint32_t t : e.targets) w.str(target_text(t));
    w.end_array().key("tcp_flags").begin_object();
    for (const auto& [flags, n] : e.tcp_flags) w.field(tcp_flags_text(flags), uint64_t(n));
    w.end_object().key("details").begin_array();
    for (const auto& note : e.details) w.str(note);
    w.end_array();
    w.field("first_seen_ms", int64_t(e.first_ms))
        .field("last_seen_ms", int64_t(e.last_ms))
        .field("first_report", f.first);
    w.field("action", action_name(d.action)).field("action_reason", d.reason);
    if (d.ban) w.field("ban", d.ban->prefix.text()).field("block_until_ms", int64_t(d.ban->until_ms));
    if (!f.decoy_group.empty()) {
        w.key("decoy_group").begin_array();
        for (const auto& a : f.decoy_group) w.str(a.text());
        w.end_array();
    }
    w.end_object();
    return w.take();
}

}  // namespace vigil::network_threat
