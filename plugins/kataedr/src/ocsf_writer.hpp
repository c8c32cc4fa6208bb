// Writing OCSF JSON with RapidJSON, shared by every event class of the OCSF
// converter: strings cut at the event's string cap, JSON text from other plugins
// checked before it is embedded, and the objects several classes carry (file,
// process, actor, the class header and the common unmapped fields).
#pragma once

#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vigil/sdk.hpp>

#include "event_facts.hpp"
#include "ocsf_converter.hpp"

namespace vigil::kataedr::ocsf {

// rapidjson output stream that appends to a std::string.
struct StringOut {
    using Ch = char;
    std::string* s;
    void Put(char c) { s->push_back(c); }
    void Flush() {}
};
using Writer = rapidjson::Writer<StringOut>;

// Sets the string cap of the event being converted on this thread and resets it when
// the conversion ends, however it ends. The writers below are shared by every event
// class, so passing the cap through each would touch every signature for one number.
struct StringCap {
    explicit StringCap(size_t cap);
    ~StringCap();
};

void key(Writer& w, const char* k);
// A string value, cut at a UTF-8 boundary and marked when above the string cap.
void str(Writer& w, std::string_view s);
void kv(Writer& w, const char* k, std::string_view v);
void kv(Writer& w, const char* k, int64_t v);
void kvu(Writer& w, const char* k, uint64_t v);
// Writes JSON text from another plugin: a value when valid, else a string (also above the
// string cap, cut) so a bad producer cannot corrupt a batch.
void raw_or_string(Writer& w, std::string_view s);
// Member `name` with raw_or_string(json), left out when json is empty.
void optional_json_member(Writer& w, const char* name, std::string_view json);

std::string_view file_name(std::string_view path);
std::string_view parent_folder(std::string_view path);
void hashes(Writer& w, std::string_view sha256);
// A parent's executable: the path is all the wire protocol asks for.
void path_only_file(Writer& w, std::string_view path);
void file_object(Writer& w, std::string_view path, std::string_view sha256);

// The class, activity, time, severity, metadata and device members every event has.
void header(Writer& w, const OcsfContext& ctx, const EventView& ev, uint64_t event_seq, int class_uid,
            const char* class_name, int category_uid, const char* category_name, int activity_id,
            std::string_view activity_name, const char* vigil_type, int severity_id);
// The bus fields every event keeps under "unmapped".
void unmapped_common(Writer& w, const EventView& ev, std::string_view bus_type);

// The process context as an OCSF Process object (read through the payload
// view so that out-of-range string references read as empty).
template <class T>
void process_object(Writer& w, const vigil::PayloadView<T>& v, const vigil_process_ctx& p) {
    w.StartObject();
    kv(w, "pid", p.pid);
    kv(w, "uid", std::to_string(p.process_key));
    kv(w, "cmd_line", v.str(p.cmdline));
    kv(w, "name", v.str(p.comm).empty() ? file_name(v.str(p.exe)) : v.str(p.comm));
    key(w, "file");
    file_object(w, v.str(p.exe), v.str(p.sha256));
    key(w, "user");
    w.StartObject();
    kv(w, "name", v.str(p.user));
    kv(w, "uid", std::to_string(p.uid));
    w.EndObject();
    kv(w, "working_directory", v.str(p.cwd));
    if (p.start_time_ns) kvu(w, "created_time", p.start_time_ns / 1000000);
    if (!v.str(p.tty).empty()) kv(w, "terminal", v.str(p.tty));
    if (!v.str(p.container_id).empty()) {
        key(w, "container");
        w.StartObject();
        kv(w, "uid", v.str(p.container_id));
        w.EndObject();
    }
    key(w, "parent_process");
    w.StartObject();
    kv(w, "pid", p.ppid);
    kv(w, "cmd_line", v.str(p.parent_cmdline));
    key(w, "file");
    path_only_file(w, v.str(p.parent_exe));
    w.EndObject();
    w.EndObject();
}

template <class T>
void actor(Writer& w, const vigil::PayloadView<T>& v, const vigil_process_ctx& p) {
    key(w, "actor");
    w.StartObject();
    key(w, "process");
    process_object(w, v, p);
    w.EndObject();
}

}  // namespace vigil::kataedr::ocsf
