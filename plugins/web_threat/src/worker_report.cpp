#include "worker_report.hpp"

#include <sys/socket.h>

#include <vigil/json_writer.hpp>

namespace vigil::web_threat {

const char* protocol_name(Inspection::Protocol p) {
    switch (p) {
        case Inspection::Protocol::tls: return "tls";
        case Inspection::Protocol::http: return "http";
        case Inspection::Protocol::dns: return "dns";
        case Inspection::Protocol::socks: return "socks";
        default: return "other";
    }
}

bool reportable(const Inspection& in) {
    const Verdict& v = in.verdict;
    return v.decision == Decision::block || !in.refused.empty() || (v.decision == Decision::trusted && v.overridden);
}

namespace {

const char* action_of(const Inspection& in) {
    if (!in.refused.empty()) return "refused";
    if (in.verdict.decision == Decision::trusted) return "trusted";
    return in.blocked ? "blocked" : "notified";
}

}  // namespace

std::string verdict_report(const Inspection& in, const Endpoint& client, const Endpoint& destination,
                           uint64_t dropped_before, const SocketOwner* owner) {
    JsonWriter w;
    w.begin_object()
        .field("type", "verdict")
        .field("protocol", protocol_name(in.protocol))
        .field("action", action_of(in))
        .field("client", client.text())
        .field("destination", destination.text())
        .field("host", in.target.host)
        .field("url", in.target.url ? in.target.url->text() : std::string());
    if (!in.refused.empty()) w.field("reason", in.refused);
    if (!in.proxy_target.empty()) w.field("target", in.proxy_target);
    // For a trusted address: the block entry it overrode, and its own entry.
    const Verdict& v = in.verdict;
    const bool trusted = v.decision == Decision::trusted;
    const std::optional<Match>& m = trusted ? v.overridden : v.match;
    if (m) {
        w.field("list", trusted ? v.overridden_list : v.list)
            .field("category", category_name(m->category))
            .field("kind", match_kind_name(m->kind))
            .field("entry", m->entry);
    }
    if (trusted && v.match) w.field("trusted_entry", v.match->entry);
    if (owner) w.field("uid", uint64_t(owner->uid)).field("inode", owner->inode);
    if (in.threat_id) w.field("threat_id", in.threat_id);
    if (dropped_before) w.field("reports_dropped", dropped_before);
    w.end_object();
    return w.take();
}

bool Reporter::send(std::string_view json) {
    if (::send(fd_, json.data(), json.size(), MSG_DONTWAIT | MSG_NOSIGNAL) == ssize_t(json.size())) return true;
    dropped_.fetch_add(1);
    return false;
}

}  // namespace vigil::web_threat
