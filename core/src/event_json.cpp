#include "event_json.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <type_traits>
#include <vigil/common/json_members.hpp>
#include <vigil/sdk.hpp>

#include "json_util.hpp"

namespace vigil::core {

namespace {

// Members in the order given: members(w, v, "pid", c.pid, "exe", c.exe, ...); a vigil_sref is
// read from the payload, every other value is written by its C++ type (json_members.hpp).
template <class T>
void members(JsonWriter&, const PayloadView<T>&) {}
template <class T, class V, class... Rest>
void members(JsonWriter& w, const PayloadView<T>& v, const char* key, const V& value, const Rest&... rest) {
    if constexpr (std::is_same_v<V, vigil_sref>) {
        common::write_members(w, key, v.str(value));
    } else {
        common::write_members(w, key, value);
    }
    members(w, v, rest...);
}

void argv_array(JsonWriter& w, std::string_view argv) {
    w.StartArray();
    for (size_t pos = 0; pos < argv.size();) {
        size_t end = argv.find('\0', pos);
        if (end == std::string_view::npos) end = argv.size();
        write_str(w, argv.substr(pos, end - pos));
        pos = end + 1;
    }
    w.EndArray();
}

template <class T>
void process_obj(JsonWriter& w, const PayloadView<T>& v, const vigil_process_ctx& c) {
    w.StartObject();
    members(w, v, "known", (c.flags & VIGIL_PROC_FLAG_KNOWN) != 0, "interactive",
            (c.flags & VIGIL_PROC_FLAG_INTERACTIVE) != 0, "container", (c.flags & VIGIL_PROC_FLAG_CONTAINER) != 0,
            "pid", c.pid, "ppid", c.ppid, "uid", c.uid, "euid", c.euid, "gid", c.gid, "egid", c.egid,
            "start_time_ns", c.start_time_ns, "process_key", c.process_key, "mnt_ns", c.mnt_ns, "pid_ns", c.pid_ns,
            "net_ns", c.net_ns, "user_ns", c.user_ns, "exe", c.exe);
    w.Key("argv");
    argv_array(w, v.str(c.argv));
    members(w, v, "cmdline", c.cmdline, "cwd", c.cwd, "user", c.user, "sha256", c.sha256);
    if (c.hash_status != VIGIL_HASH_NONE) write_kv(w, "hash_status", vigil::hash_status_name(c.hash_status));
    members(w, v, "parent_exe", c.parent_exe, "parent_cmdline", c.parent_cmdline, "container_id", c.container_id,
            "tty", c.tty, "comm", c.comm);
    w.EndObject();
}

// The event's process context as member "process", then the end of the event object.
template <class T>
void end_with_process(JsonWriter& w, const PayloadView<T>& v, const vigil_process_ctx& c) {
    w.Key("process");
    process_obj(w, v, c);
    w.EndObject();
}

std::string addr_text(uint8_t family, const uint8_t* a) {
    char buf[INET6_ADDRSTRLEN] = {0};
    if (family == AF_INET) inet_ntop(AF_INET, a, buf, sizeof buf);
    else if (family == AF_INET6) inet_ntop(AF_INET6, a, buf, sizeof buf);
    return buf;
}

void write_process_event(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_process_event>(m.payload, m.payload_size);
    w.StartObject();
    w.Key("process");
    process_obj(w, v, v->process);
    if (m.type_id == VIGIL_TYPE_PROCESS_EXIT)
        members(w, v, "exit_code", v->exit_code, "exit_signal", v->exit_signal, "lifetime_ns", v->lifetime_ns);
    w.EndObject();
}

void write_network_event(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_network_event>(m.payload, m.payload_size);
    w.StartObject();
    members(w, v, "action", network_action_name(v->action), "family",
            v->family == AF_INET6 ? "ipv6" : v->family == AF_INET ? "ipv4" : "unknown", "protocol", v->protocol,
            "local_addr", addr_text(v->family, v->local_addr), "local_port", v->local_port, "remote_addr",
            addr_text(v->family, v->remote_addr), "remote_port", v->remote_port, "bytes_sent", v->bytes_sent,
            "bytes_received", v->bytes_received, "remote_hostname", v->remote_hostname);
    end_with_process(w, v, v->process);
}

void write_file_event(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_file_event>(m.payload, m.payload_size);
    w.StartObject();
    members(w, v, "action", file_action_name(v->action), "path", v->path, "new_path", v->new_path, "mode", v->mode,
            "uid", v->uid, "gid", v->gid, "size", v->size, "inode", v->inode, "device", v->device, "sha256",
            v->sha256);
    end_with_process(w, v, v->process);
}

void write_threat_event(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_threat_event>(m.payload, m.payload_size);
    w.StartObject();
    members(w, v, "severity", severity_name(v->severity), "threat_id", v->threat_id, "trigger_sequence",
            v->trigger_sequence, "detector", v->detector, "rule_id", v->rule_id, "title", v->title, "description",
            v->description, "tags", v->tags, "author", v->author, "object_type", v->object_type, "object", v->object,
            "sha256", v->sha256, "trigger_json", v->trigger_json, "details_json", v->details_json);
    end_with_process(w, v, v->process);
}

void write_action_result(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_action_result>(m.payload, m.payload_size);
    w.StartObject();
    members(w, v, "status", v->status, "threat_id", v->threat_id, "correlation_id", v->correlation_id, "action",
            v->action, "object", v->object, "details_json", v->details_json, "error", v->error, "origin", v->origin);
    w.EndObject();
}

void write_command(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_command>(m.payload, m.payload_size);
    w.StartObject();
    members(w, v, "name", v->name, "args_json", v->args_json, "origin", v->origin, "deadline_ns", v->deadline_ns);
    w.EndObject();
}

void write_command_result(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_command_result>(m.payload, m.payload_size);
    w.StartObject();
    members(w, v, "status", v->status, "name", v->name, "result_json", v->result_json, "error", v->error);
    w.EndObject();
}

void write_plugin_status(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_plugin_status>(m.payload, m.payload_size);
    w.StartObject();
    members(w, v, "state", plugin_state_name(v->state), "plugin", v->plugin, "message", v->message, "status_json",
            v->status_json);
    w.EndObject();
}

// Custom types carry their own bytes: shown as text when printable.
void write_custom(JsonWriter& w, const vigil_message& m) {
    const void* p = m.payload;
    uint32_t n = m.payload_size;
    // Custom types carry their own bytes: show them as text when printable.
    std::string_view bytes(static_cast<const char*>(p), n);
    w.StartObject();
    write_uint(w, "size", n);
    bool printable = true;
    for (unsigned char c : bytes) printable = printable && (c >= 0x20 || c == '\n' || c == '\t');
    if (printable) write_kv(w, "text", bytes);
    w.EndObject();
}

void payload(JsonWriter& w, const vigil_message& m) {
    switch (m.type_id) {
    case VIGIL_TYPE_PROCESS_START:
    case VIGIL_TYPE_PROCESS_EXIT: return write_process_event(w, m);
    case VIGIL_TYPE_NETWORK: return write_network_event(w, m);
    case VIGIL_TYPE_FILE: return write_file_event(w, m);
    case VIGIL_TYPE_THREAT: return write_threat_event(w, m);
    case VIGIL_TYPE_ACTION_RESULT: return write_action_result(w, m);
    case VIGIL_TYPE_COMMAND: return write_command(w, m);
    case VIGIL_TYPE_COMMAND_RESULT: return write_command_result(w, m);
    case VIGIL_TYPE_PLUGIN_STATUS: return write_plugin_status(w, m);
    default: return write_custom(w, m);
    }
}

}  // namespace

std::string message_to_json(const vigil_message& m, const std::string& type_name) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    write_uint(w, "seq", m.sequence);
    write_kv(w, "type", type_name);
    write_kv(w, "source", std::string_view(m.source, m.source_len));
    write_uint(w, "time_ns", m.timestamp_ns);
    write_uint(w, "correlation_id", m.correlation_id);
    write_uint(w, "schema_version", m.schema_version);
    w.Key("payload");
    payload(w, m);
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace vigil::core
