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

bool reportable(const Inspection& in) { return in.verdict.decision == Decision::block || !in.refused.empty(); }

std::string verdict_report(const Inspection& in, const Endpoint& client, const Endpoint& destination,
                           uint64_t dropped_before, const SocketOwner* owner) {
    JsonWriter w;
    w.begin_object()
        .field("type", "verdict")
        .field("protocol", protocol_name(in.protocol))
        .field("action", !in.refused.empty() ? "refused" : in.blocked ? "blocked" : "notified")
        .field("client", client.text())
        .field("destination", destination.text())
        .field("host", in.target.host)
        .field("url", in.target.url ? in.target.url->text() : std::string());
    if (!in.refused.empty()) w.field("reason", in.refused);
    if (in.verdict.match) {
        w.field("list", in.verdict.list)
            .field("category", category_name(in.verdict.match->category))
            .field("kind", match_kind_name(in.verdict.match->kind))
            .field("entry", in.verdict.match->entry);
    }
    if (owner) w.field("uid", uint64_t(owner->uid)).field("inode", owner->inode);
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
