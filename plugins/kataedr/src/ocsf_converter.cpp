#include "ocsf_converter.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>
#include <vigil/sdk.hpp>

#include "ocsf_writer.hpp"

namespace vigil::kataedr {

// The field writers and shared objects (ocsf_writer.hpp) are this file's vocabulary.
using namespace ocsf;

namespace {

bool process_event(Writer& w, const OcsfContext& ctx, const EventView& ev, uint64_t seq) {
    auto v = vigil::view<vigil_process_event>(ev.payload, ev.payload_size);
    if (!v.valid) return false;
    bool start = ev.type_id == VIGIL_TYPE_PROCESS_START;
    w.StartObject();
    header(w, ctx, ev, seq, 1007, "Process Activity", 1, "System Activity", start ? 1 : 2,
           start ? "Launch" : "Terminate", "process", 1);
    key(w, "process");
    process_object(w, v, v->process.struct_size ? v->process : vigil_process_ctx{});
    // The actor of a process activity is its parent.
    key(w, "actor");
    w.StartObject();
    key(w, "process");
    w.StartObject();
    kv(w, "pid", v->process.ppid);
    kv(w, "cmd_line", v.str(v->process.parent_cmdline));
    key(w, "file");
    path_only_file(w, v.str(v->process.parent_exe));
    w.EndObject();
    w.EndObject();
    if (!start) kv(w, "exit_code", v->exit_code);
    key(w, "unmapped");
    w.StartObject();
    unmapped_common(w, ev, start ? "process_start" : "process_exit");
    if (!start) {
        kv(w, "exit_signal", v->exit_signal);
        kvu(w, "lifetime_ns", v->lifetime_ns);
    }
    w.EndObject();
    w.EndObject();
    return true;
}

// OCSF activities of Vigil's network and file actions (99 "Other" for any other action).
struct NetActivity {
    uint32_t action;
    int id;
    const char* name;
    const char* direction;
    int direction_id;
};
constexpr NetActivity kNetActivities[] = {{VIGIL_NET_CONNECT, 1, "Open", "Outbound", 2},
                                          {VIGIL_NET_ACCEPT, 1, "Open", "Inbound", 1},
                                          {VIGIL_NET_LISTEN, 7, "Listen", "Inbound", 1},
                                          {VIGIL_NET_CLOSE, 2, "Close", "Unknown", 0}};
struct FileActivity {
    uint32_t action;
    int id;
    const char* name;
};
// clang-format off
constexpr FileActivity kFileActivities[] = {
    {VIGIL_FILE_CREATE, 1, "Create"}, {VIGIL_FILE_MODIFY, 3, "Update"}, {VIGIL_FILE_DELETE, 4, "Delete"},
    {VIGIL_FILE_RENAME, 5, "Rename"}, {VIGIL_FILE_CHMOD, 6, "Set Attributes"},
    {VIGIL_FILE_CHOWN, 7, "Set Security"}, {VIGIL_FILE_OPEN, 14, "Open"}};
// clang-format on

template <class A, size_t N>
A find_activity(const A (&table)[N], uint32_t action, A other) {
    for (const A& a : table)
        if (a.action == action) return a;
    return other;
}

std::string address_text(uint8_t family, const uint8_t* addr) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family == AF_INET6) return inet_ntop(AF_INET6, addr, buf, sizeof buf) ? buf : "";
    if (family == AF_INET) return inet_ntop(AF_INET, addr, buf, sizeof buf) ? buf : "";
    return {};
}

bool network_event(Writer& w, const OcsfContext& ctx, const EventView& ev, uint64_t seq) {
    auto v = vigil::view<vigil_network_event>(ev.payload, ev.payload_size);
    if (!v.valid) return false;
    const NetActivity act =
        find_activity(kNetActivities, v->action, NetActivity{0, 99, "Other", "Unknown", 0});
    const int activity = act.id, direction_id = act.direction_id;
    const std::string_view activity_name = act.name;
    const char* direction = act.direction;
    std::string local = address_text(v->family, v->local_addr),
                remote = address_text(v->family, v->remote_addr);
    w.StartObject();
    header(w, ctx, ev, seq, 4001, "Network Activity", 4, "Network Activity", activity, activity_name,
           "network", 1);
    // src is the side that initiated: the local end for outbound connections.
    bool outbound = v->action != VIGIL_NET_ACCEPT;
    key(w, "src_endpoint");
    w.StartObject();
    kv(w, "ip", outbound ? local : remote);
    kv(w, "port", outbound ? v->local_port : v->remote_port);
    w.EndObject();
    key(w, "dst_endpoint");
    w.StartObject();
    kv(w, "ip", outbound ? remote : local);
    kv(w, "port", outbound ? v->remote_port : v->local_port);
    if (outbound && !v.str(v->remote_hostname).empty()) kv(w, "hostname", v.str(v->remote_hostname));
    w.EndObject();
    key(w, "connection_info");
    w.StartObject();
    const char* proto = v->protocol == IPPROTO_TCP ? "tcp" : v->protocol == IPPROTO_UDP ? "udp" : "other";
    kv(w, "protocol_name", proto);
    kv(w, "protocol_num", v->protocol);
    kv(w, "protocol_ver_id", v->family == AF_INET6 ? 6 : 4);
    kv(w, "direction", direction);
    kv(w, "direction_id", direction_id);
    w.EndObject();
    if (v->bytes_sent || v->bytes_received) {
        key(w, "traffic");
        w.StartObject();
        kvu(w, "bytes_out", v->bytes_sent);
        kvu(w, "bytes_in", v->bytes_received);
        w.EndObject();
    }
    actor(w, v, v->process);
    key(w, "unmapped");
    w.StartObject();
    unmapped_common(w, ev, "network");
    // The SDK's name, and "" for 0 (no action given).
    kv(w, "action", v->action == 0 ? "" : vigil::network_action_name(v->action));
    w.EndObject();
    w.EndObject();
    return true;
}

bool file_event(Writer& w, const OcsfContext& ctx, const EventView& ev, uint64_t seq) {
    auto v = vigil::view<vigil_file_event>(ev.payload, ev.payload_size);
    if (!v.valid) return false;
    const FileActivity act = find_activity(kFileActivities, v->action, FileActivity{0, 99, "Other"});
    const int activity = act.id;
    const std::string_view name = act.name;
    w.StartObject();
    header(w, ctx, ev, seq, 1001, "File System Activity", 1, "System Activity", activity, name, "file", 1);
    key(w, "file");
    w.StartObject();
    std::string_view path = v.str(v->path);
    kv(w, "path", path);
    kv(w, "name", file_name(path));
    kv(w, "parent_folder", parent_folder(path));
    kv(w, "type_id", 1);
    if (v->size) kvu(w, "size", v->size);
    if (v->mode) kv(w, "mode", std::to_string(v->mode & 07777));
    if (v->action == VIGIL_FILE_CHOWN || v->uid) {
        key(w, "owner");
        w.StartObject();
        kv(w, "uid", std::to_string(v->uid));
        w.EndObject();
    }
    if (!v.str(v->sha256).empty()) hashes(w, v.str(v->sha256));
    w.EndObject();
    if (v->action == VIGIL_FILE_RENAME) {
        key(w, "file_result");
        file_object(w, v.str(v->new_path), {});
    }
    actor(w, v, v->process);
    key(w, "unmapped");
    w.StartObject();
    unmapped_common(w, ev, "file");
    // The SDK's name, and "" for 0 (no action given).
    kv(w, "action", v->action == 0 ? "" : vigil::file_action_name(v->action));
    kvu(w, "inode", v->inode);
    kvu(w, "device", v->device);
    w.EndObject();
    w.EndObject();
    return true;
}

int severity_id(uint32_t s) { return s <= VIGIL_SEV_CRITICAL ? int(s) + 1 : 99; }

bool threat_event(Writer& w, const OcsfContext& ctx, const EventView& ev, uint64_t seq) {
    auto v = vigil::view<vigil_threat_event>(ev.payload, ev.payload_size);
    if (!v.valid) return false;
    w.StartObject();
    header(w, ctx, ev, seq, 2004, "Detection Finding", 2, "Findings", 1, "Create", "detection",
           severity_id(v->severity));
    key(w, "finding_info");
    w.StartObject();
    kv(w, "uid", ctx.agent_id + ":threat:" + std::to_string(v->threat_id));
    kv(w, "title", v.str(v->title));
    kv(w, "desc", v.str(v->description));
    key(w, "analytic");
    w.StartObject();
    kv(w, "name", v.str(v->rule_id).empty() ? v.str(v->detector) : v.str(v->rule_id));
    kv(w, "uid", v.str(v->rule_id));
    kv(w, "category", v.str(v->detector));
    kv(w, "type", "Rule");
    kv(w, "type_id", 1);
    w.EndObject();
    // "attack.t1059.001,attack.execution" -> ATT&CK technique and tactic entries.
    key(w, "attacks");
    w.StartArray();
    std::string_view tags = v.str(v->tags);
    while (!tags.empty()) {
        size_t comma = tags.find(',');
        std::string_view tag = tags.substr(0, comma);
        tags = comma == std::string_view::npos ? std::string_view{} : tags.substr(comma + 1);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        if (tag.substr(0, 7) != "attack.") continue;
        std::string_view id = tag.substr(7);
        w.StartObject();
        if (id.size() > 1 && (id[0] == 't' || id[0] == 'T') &&
            std::isdigit(static_cast<unsigned char>(id[1]))) {
            std::string uid(id);
            for (auto& c : uid) c = char(std::toupper(static_cast<unsigned char>(c)));
            key(w, "technique");
            w.StartObject();
            kv(w, "uid", uid);
            w.EndObject();
        } else {
            key(w, "tactic");
            w.StartObject();
            kv(w, "name", id);
            w.EndObject();
        }
        w.EndObject();
    }
    w.EndArray();
    key(w, "related_events");
    w.StartArray();
    if (v->trigger_sequence) {
        w.StartObject();
        kv(w, "uid", std::to_string(v->trigger_sequence));
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    key(w, "resources");
    w.StartArray();
    w.StartObject();
    kv(w, "type", v.str(v->object_type));
    kv(w, "name", v.str(v->object));
    if (!v.str(v->sha256).empty()) kv(w, "uid", v.str(v->sha256));
    w.EndObject();
    w.EndArray();
    key(w, "evidences");
    w.StartArray();
    w.StartObject();
    if (v->process.struct_size) {
        key(w, "process");
        process_object(w, v, v->process);
    }
    if (v.str(v->object_type) == "file") {
        key(w, "file");
        file_object(w, v.str(v->object), v.str(v->sha256));
    }
    w.EndObject();
    w.EndArray();
    key(w, "unmapped");
    w.StartObject();
    unmapped_common(w, ev, "threat");
    kvu(w, "threat_id", v->threat_id);
    kv(w, "detector", v.str(v->detector));
    kv(w, "author", v.str(v->author));
    kv(w, "tags", v.str(v->tags));
    optional_json_member(w, "details", v.str(v->details_json));
    optional_json_member(w, "trigger", v.str(v->trigger_json));
    w.EndObject();
    w.EndObject();
    return true;
}

bool action_result_event(Writer& w, const OcsfContext& ctx, const EventView& ev, uint64_t seq) {
    auto v = vigil::view<vigil_action_result>(ev.payload, ev.payload_size);
    if (!v.valid) return false;
    bool ok = v->status == VIGIL_OK;
    w.StartObject();
    header(w, ctx, ev, seq, 7001, "Remediation Activity", 7, "Remediation", 99, v.str(v->action), "action",
           ok ? 1 : 3);
    kv(w, "status", ok ? "Success" : "Failure");
    kv(w, "status_id", ok ? 1 : 2);
    kv(w, "status_code", std::to_string(v->status));
    if (!ok) kv(w, "status_detail", v.str(v->error));
    key(w, "remediation");
    w.StartObject();
    kv(w, "desc", v.str(v->action));
    w.EndObject();
    if (v->threat_id) {
        key(w, "finding_info");
        w.StartObject();
        kv(w, "uid", ctx.agent_id + ":threat:" + std::to_string(v->threat_id));
        w.EndObject();
    }
    key(w, "resources");
    w.StartArray();
    w.StartObject();
    kv(w, "name", v.str(v->object));
    w.EndObject();
    w.EndArray();
    key(w, "unmapped");
    w.StartObject();
    unmapped_common(w, ev, "action_result");
    kv(w, "action", v.str(v->action));
    kv(w, "origin", v.str(v->origin));
    kvu(w, "threat_id", v->threat_id);
    kvu(w, "correlation_id", v->correlation_id);
    optional_json_member(w, "details", v.str(v->details_json));
    w.EndObject();
    w.EndObject();
    return true;
}

}  // namespace

std::string truncation_marker(size_t more_bytes) {
    return " [truncated: " + std::to_string(more_bytes) + " more bytes]";
}

namespace {

using Converter = bool (*)(Writer&, const OcsfContext&, const EventView&, uint64_t);

// The converter of each bus type kataedr sends; other types have none.
Converter converter_of(uint32_t type_id) {
    static constexpr std::pair<uint32_t, Converter> kConverters[] = {
        {VIGIL_TYPE_PROCESS_START, process_event}, {VIGIL_TYPE_PROCESS_EXIT, process_event},
        {VIGIL_TYPE_NETWORK, network_event},       {VIGIL_TYPE_FILE, file_event},
        {VIGIL_TYPE_THREAT, threat_event},         {VIGIL_TYPE_ACTION_RESULT, action_result_event}};
    for (const auto& [type, convert] : kConverters)
        if (type == type_id) return convert;
    return nullptr;
}

bool append_once(const OcsfContext& ctx, const EventView& ev, uint64_t event_seq, std::string& out) {
    const Converter convert = converter_of(ev.type_id);
    if (!convert) return false;
    size_t mark = out.size();
    StringOut os{&out};
    Writer w(os);
    const bool ok = convert(w, ctx, ev, event_seq);
    if (!ok) out.resize(mark);
    return ok;
}

}  // namespace

bool append_ocsf(const OcsfContext& ctx, const EventView& ev, uint64_t event_seq, std::string& out,
                 const EventLimits& limits) {
    const size_t mark = out.size();
    const bool critical = !is_telemetry_type(ev.type_id);
    // Cut harder until the event fits: the configured cap, then 1 KiB, then 128 bytes.
    const size_t caps[] = {limits.max_string_bytes, std::min<size_t>(limits.max_string_bytes, 1024),
                           std::min<size_t>(limits.max_string_bytes, 128)};
    for (size_t i = 0; i < 3; ++i) {
        StringCap cap(caps[i]);
        if (!append_once(ctx, ev, event_seq, out)) return false;
        if (out.size() - mark <= limits.max_event_bytes || (critical && i == 2)) return true;
        out.resize(mark);
    }
    return false;
}

void append_limit_notice(const OcsfContext& ctx, const LimitNotice& n, uint64_t event_seq, uint64_t time_ns,
                         std::string& out) {
    StringOut os{&out};
    Writer w(os);
    EventView ev;
    ev.time_ns = time_ns;
    ev.source = "kataedr";
    w.StartObject();
    header(w, ctx, ev, event_seq, 0, "Base Event", 0, "Uncategorized", 99,
           n.summary ? "Telemetry limit window ended" : "Telemetry limited", "telemetry_limited", 3);
    kv(w, "message", n.summary ? "events of uid " + std::to_string(n.owner) + " were dropped by the rate limit this hour"
                               : "the rate limit started dropping " + n.type + " events of uid " +
                                     std::to_string(n.owner) + " (" + n.reason + ")");
    key(w, "unmapped");
    w.StartObject();
    unmapped_common(w, ev, "telemetry_limited");
    kvu(w, "owner_uid", n.owner);
    kv(w, "event_type", n.type);
    kv(w, "reason", n.reason);
    kvu(w, "window_start_ns", n.window_start_ns);
    kvu(w, "dropped", n.dropped);
    kvu(w, "limit", n.limit);
    w.EndObject();
    w.EndObject();
}

}  // namespace vigil::kataedr
