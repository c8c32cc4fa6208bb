#include "ocsf_writer.hpp"

#include <rapidjson/reader.h>

#include <algorithm>

namespace vigil::kataedr::ocsf {
namespace {

// The string cap of the event being converted on this thread (StringCap sets it).
thread_local size_t t_max_string = SIZE_MAX;

// Cuts at a UTF-8 character boundary at or below `max`.
size_t utf8_cut(std::string_view s, size_t max) {
    size_t n = std::min(max, s.size());
    while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return n;
}

bool valid_json(std::string_view s) {
    // RapidJSON reads NUL as the end of input: "1\0junk" would pass and carry junk into the batch.
    if (s.empty() || s.find('\0') != std::string_view::npos) return false;
    rapidjson::Reader r;
    rapidjson::BaseReaderHandler<> h;
    rapidjson::MemoryStream ms(s.data(), s.size());
    return !r.Parse(ms, h).IsError();
}

}  // namespace

StringCap::StringCap(size_t cap) { t_max_string = cap; }
StringCap::~StringCap() { t_max_string = SIZE_MAX; }

void key(Writer& w, const char* k) { w.Key(k); }

void str(Writer& w, std::string_view s) {
    if (s.size() <= t_max_string) {
        w.String(s.data(), rapidjson::SizeType(s.size()));
        return;
    }
    size_t keep = utf8_cut(s, t_max_string);
    std::string cut(s.substr(0, keep));
    cut += truncation_marker(s.size() - keep);
    w.String(cut.data(), rapidjson::SizeType(cut.size()));
}
void kv(Writer& w, const char* k, std::string_view v) {
    w.Key(k);
    str(w, v);
}
void kv(Writer& w, const char* k, int64_t v) {
    w.Key(k);
    w.Int64(v);
}
void kvu(Writer& w, const char* k, uint64_t v) {
    w.Key(k);
    w.Uint64(v);
}

void raw_or_string(Writer& w, std::string_view s) {
    if (s.size() <= t_max_string && valid_json(s))
        w.RawValue(s.data(), s.size(), rapidjson::kObjectType);
    else
        str(w, s);
}

void optional_json_member(Writer& w, const char* name, std::string_view json) {
    if (json.empty()) return;
    key(w, name);
    raw_or_string(w, json);
}

std::string_view file_name(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}
std::string_view parent_folder(std::string_view path) {
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return {};
    return slash == 0 ? path.substr(0, 1) : path.substr(0, slash);
}

void hashes(Writer& w, std::string_view sha256) {
    key(w, "hashes");
    w.StartArray();
    w.StartObject();
    kv(w, "algorithm", "SHA-256");
    kv(w, "algorithm_id", 3);
    kv(w, "value", sha256);
    w.EndObject();
    w.EndArray();
}

void path_only_file(Writer& w, std::string_view path) {
    w.StartObject();
    kv(w, "path", path);
    w.EndObject();
}

void file_object(Writer& w, std::string_view path, std::string_view sha256) {
    w.StartObject();
    kv(w, "path", path);
    kv(w, "name", file_name(path));
    kv(w, "parent_folder", parent_folder(path));
    kv(w, "type_id", 1);
    if (!sha256.empty()) hashes(w, sha256);
    w.EndObject();
}

void header(Writer& w, const OcsfContext& ctx, const EventView& ev, uint64_t event_seq, int class_uid,
            const char* class_name, int category_uid, const char* category_name, int activity_id,
            std::string_view activity_name, const char* vigil_type, int severity_id) {
    kv(w, "class_uid", class_uid);
    kv(w, "class_name", class_name);
    kv(w, "category_uid", category_uid);
    kv(w, "category_name", category_name);
    kv(w, "activity_id", activity_id);
    kv(w, "activity_name", activity_name);
    kv(w, "type_uid", int64_t(class_uid) * 100 + activity_id);
    kv(w, "type", vigil_type);
    kvu(w, "time", ev.time_ns / 1000000);
    kv(w, "severity_id", severity_id);
    static const char* sev_names[] = {"Unknown", "Informational", "Low", "Medium", "High", "Critical"};
    kv(w, "severity", severity_id >= 0 && severity_id <= 5 ? sev_names[severity_id] : "Other");
    key(w, "metadata");
    w.StartObject();
    key(w, "product");
    w.StartObject();
    kv(w, "name", "Vigil");
    kv(w, "vendor_name", "Vigil");
    if (!ctx.product_version.empty()) kv(w, "version", ctx.product_version);
    w.EndObject();
    kv(w, "version", "1.1.0");
    kv(w, "uid", ctx.agent_id + ":" + std::to_string(event_seq));
    kvu(w, "sequence", event_seq);
    w.EndObject();
    key(w, "device");
    w.StartObject();
    kv(w, "hostname", ctx.hostname);
    kv(w, "uid", ctx.agent_id);
    w.EndObject();
}

void unmapped_common(Writer& w, const EventView& ev, std::string_view bus_type) {
    kv(w, "bus_type", bus_type);
    kv(w, "source", ev.source);
    kvu(w, "bus_sequence", ev.bus_sequence);
    kvu(w, "time_ns", ev.time_ns);
}

}  // namespace vigil::kataedr::ocsf
