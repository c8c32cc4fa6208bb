#include "event_json.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <vigil/sdk.hpp>

#include "json_util.hpp"

namespace vigil::core {

namespace {

template <class T>
void sref_kv(JsonWriter& w, const PayloadView<T>& v, const char* key, vigil_sref s) {
    w.Key(key);
    write_str(w, v.str(s));
}

template <class T>
void process_obj(JsonWriter& w, const PayloadView<T>& v, const vigil_process_ctx& c) {
    w.StartObject();
    write_bool(w, "known", (c.flags & VIGIL_PROC_FLAG_KNOWN) != 0);
    write_bool(w, "interactive", (c.flags & VIGIL_PROC_FLAG_INTERACTIVE) != 0);
    write_bool(w, "container", (c.flags & VIGIL_PROC_FLAG_CONTAINER) != 0);
    write_int(w, "pid", c.pid);
    write_int(w, "ppid", c.ppid);
    write_uint(w, "uid", c.uid);
    write_uint(w, "euid", c.euid);
    write_uint(w, "gid", c.gid);
    write_uint(w, "egid", c.egid);
    write_uint(w, "start_time_ns", c.start_time_ns);
    write_uint(w, "process_key", c.process_key);
    write_uint(w, "mnt_ns", c.mnt_ns);
    write_uint(w, "pid_ns", c.pid_ns);
    write_uint(w, "net_ns", c.net_ns);
    write_uint(w, "user_ns", c.user_ns);
    sref_kv(w, v, "exe", c.exe);
    w.Key("argv");
    w.StartArray();
    std::string_view argv = v.str(c.argv);
    for (size_t pos = 0; pos < argv.size();) {
        size_t end = argv.find('\0', pos);
        if (end == std::string_view::npos) end = argv.size();
        write_str(w, argv.substr(pos, end - pos));
        pos = end + 1;
    }
    w.EndArray();
    sref_kv(w, v, "cmdline", c.cmdline);
    sref_kv(w, v, "cwd", c.cwd);
    sref_kv(w, v, "user", c.user);
    sref_kv(w, v, "sha256", c.sha256);
    if (c.hash_status != VIGIL_HASH_NONE) write_kv(w, "hash_status", vigil::hash_status_name(c.hash_status));
    sref_kv(w, v, "parent_exe", c.parent_exe);
    sref_kv(w, v, "parent_cmdline", c.parent_cmdline);
    sref_kv(w, v, "container_id", c.container_id);
    sref_kv(w, v, "tty", c.tty);
    sref_kv(w, v, "comm", c.comm);
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
    if (m.type_id == VIGIL_TYPE_PROCESS_EXIT) {
        write_int(w, "exit_code", v->exit_code);
        write_int(w, "exit_signal", v->exit_signal);
        write_uint(w, "lifetime_ns", v->lifetime_ns);
    }
    w.EndObject();
}

void write_network_event(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_network_event>(m.payload, m.payload_size);
    w.StartObject();
    write_kv(w, "action", network_action_name(v->action));
    write_kv(w, "family", v->family == AF_INET6 ? "ipv6" : v->family == AF_INET ? "ipv4" : "unknown");
    write_uint(w, "protocol", v->protocol);
    write_kv(w, "local_addr", addr_text(v->family, v->local_addr));
    write_uint(w, "local_port", v->local_port);
    write_kv(w, "remote_addr", addr_text(v->family, v->remote_addr));
    write_uint(w, "remote_port", v->remote_port);
    write_uint(w, "bytes_sent", v->bytes_sent);
    write_uint(w, "bytes_received", v->bytes_received);
    sref_kv(w, v, "remote_hostname", v->remote_hostname);
    w.Key("process");
    process_obj(w, v, v->process);
    w.EndObject();
}

void write_file_event(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_file_event>(m.payload, m.payload_size);
    w.StartObject();
    write_kv(w, "action", file_action_name(v->action));
    sref_kv(w, v, "path", v->path);
    sref_kv(w, v, "new_path", v->new_path);
    write_uint(w, "mode", v->mode);
    write_uint(w, "uid", v->uid);
    write_uint(w, "gid", v->gid);
    write_uint(w, "size", v->size);
    write_uint(w, "inode", v->inode);
    write_uint(w, "device", v->device);
    sref_kv(w, v, "sha256", v->sha256);
    w.Key("process");
    process_obj(w, v, v->process);
    w.EndObject();
}

void write_threat_event(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_threat_event>(m.payload, m.payload_size);
    w.StartObject();
    write_kv(w, "severity", severity_name(v->severity));
    write_uint(w, "threat_id", v->threat_id);
    write_uint(w, "trigger_sequence", v->trigger_sequence);
    sref_kv(w, v, "detector", v->detector);
    sref_kv(w, v, "rule_id", v->rule_id);
    sref_kv(w, v, "title", v->title);
    sref_kv(w, v, "description", v->description);
    sref_kv(w, v, "tags", v->tags);
    sref_kv(w, v, "author", v->author);
    sref_kv(w, v, "object_type", v->object_type);
    sref_kv(w, v, "object", v->object);
    sref_kv(w, v, "sha256", v->sha256);
    sref_kv(w, v, "trigger_json", v->trigger_json);
    sref_kv(w, v, "details_json", v->details_json);
    w.Key("process");
    process_obj(w, v, v->process);
    w.EndObject();
}

void write_action_result(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_action_result>(m.payload, m.payload_size);
    w.StartObject();
    write_int(w, "status", v->status);
    write_uint(w, "threat_id", v->threat_id);
    write_uint(w, "correlation_id", v->correlation_id);
    sref_kv(w, v, "action", v->action);
    sref_kv(w, v, "object", v->object);
    sref_kv(w, v, "details_json", v->details_json);
    sref_kv(w, v, "error", v->error);
    sref_kv(w, v, "origin", v->origin);
    w.EndObject();
}

void write_command(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_command>(m.payload, m.payload_size);
    w.StartObject();
    sref_kv(w, v, "name", v->name);
    sref_kv(w, v, "args_json", v->args_json);
    sref_kv(w, v, "origin", v->origin);
    write_uint(w, "deadline_ns", v->deadline_ns);
    w.EndObject();
}

void write_command_result(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_command_result>(m.payload, m.payload_size);
    w.StartObject();
    write_int(w, "status", v->status);
    sref_kv(w, v, "name", v->name);
    sref_kv(w, v, "result_json", v->result_json);
    sref_kv(w, v, "error", v->error);
    w.EndObject();
}

void write_plugin_status(JsonWriter& w, const vigil_message& m) {
    auto v = view<vigil_plugin_status>(m.payload, m.payload_size);
    w.StartObject();
    write_kv(w, "state", plugin_state_name(v->state));
    sref_kv(w, v, "plugin", v->plugin);
    sref_kv(w, v, "message", v->message);
    sref_kv(w, v, "status_json", v->status_json);
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
