#include "settings.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <stdexcept>

namespace vigil::behavior {
namespace {

using rapidjson::Value;

std::vector<std::string> string_list(const Value& v, const char* key) {
    std::vector<std::string> out;
    if (v.IsString()) {
        out.emplace_back(v.GetString(), v.GetStringLength());
        return out;
    }
    if (!v.IsArray()) throw std::runtime_error(std::string("behavior.") + key + ": expected a list of paths");
    for (const auto& e : v.GetArray()) {
        if (!e.IsString() || e.GetStringLength() == 0 || e.GetString()[0] != '/')
            throw std::runtime_error(std::string("behavior.") + key + ": every entry must be an absolute path");
        out.emplace_back(e.GetString(), e.GetStringLength());
    }
    return out;
}

uint64_t positive(const Value& v, const char* key, uint64_t min, uint64_t max) {
    if (!v.IsUint64() || v.GetUint64() < min || v.GetUint64() > max)
        throw std::runtime_error(std::string("behavior.") + key + ": expected an integer from " + std::to_string(min) +
                                 " to " + std::to_string(max));
    return v.GetUint64();
}

bool boolean(const Value& v, const char* key) {
    if (!v.IsBool()) throw std::runtime_error(std::string("behavior.") + key + ": expected true or false");
    return v.GetBool();
}

}  // namespace

std::string agent_state_dir(const std::string& agent_json) {
    rapidjson::Document d;
    d.Parse(agent_json.c_str(), agent_json.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("state_dir") || !d["state_dir"].IsString()) return {};
    return d["state_dir"].GetString();
}

Settings parse_settings(const std::string& json) {
    Settings s;
    s.raw_json = json.empty() ? "{}" : json;
    rapidjson::Document d;
    d.Parse(s.raw_json.c_str(), s.raw_json.size());
    if (d.HasParseError())
        throw std::runtime_error(std::string("behavior settings: invalid JSON: ") +
                                 rapidjson::GetParseError_En(d.GetParseError()));
    if (!d.IsObject()) throw std::runtime_error("behavior settings: expected a mapping");
    for (auto& m : d.GetObject()) {
        std::string k(m.name.GetString(), m.name.GetStringLength());
        const Value& v = m.value;
        if (k == "sensor") {
            if (!v.IsString()) throw std::runtime_error("behavior.sensor: expected auto, ebpf or netlink");
            s.sensor = v.GetString();
            if (s.sensor != "auto" && s.sensor != "ebpf" && s.sensor != "netlink")
                throw std::runtime_error("behavior.sensor: '" + s.sensor + "' is not one of auto, ebpf, netlink");
        } else if (k == "mode") {
            if (!v.IsString()) throw std::runtime_error("behavior.mode: expected notify or block");
            s.mode = v.GetString();
            if (s.mode != "notify" && s.mode != "block")
                throw std::runtime_error("behavior.mode: '" + s.mode + "' is not one of notify, block");
        } else if (k == "process_events") {
            s.process_events = boolean(v, "process_events");
        } else if (k == "network_events") {
            s.network_events = boolean(v, "network_events");
        } else if (k == "file_events") {
            s.file_events = boolean(v, "file_events");
        } else if (k == "file_watch_paths") {
            s.file_watch_paths = string_list(v, "file_watch_paths");
        } else if (k == "file_exclude_paths") {
            s.file_exclude_paths = string_list(v, "file_exclude_paths");
        } else if (k == "sock_diag_interval_ms") {
            s.sock_diag_interval_ms = uint32_t(positive(v, "sock_diag_interval_ms", 50, 60000));
        } else if (k == "ring_buffer_kib") {
            s.ring_buffer_kib = uint32_t(positive(v, "ring_buffer_kib", 256, 1 << 20));
            if (s.ring_buffer_kib & (s.ring_buffer_kib - 1))
                throw std::runtime_error("behavior.ring_buffer_kib: must be a power of two");
        } else if (k == "hash_executables") {
            s.hash_executables = boolean(v, "hash_executables");
        } else if (k == "hash_max_bytes") {
            s.hash_max_bytes = positive(v, "hash_max_bytes", 0, uint64_t(1) << 40);
        } else if (k == "hash_cache_entries") {
            s.hash_cache_entries = uint32_t(positive(v, "hash_cache_entries", 16, 1 << 22));
        } else if (k == "hash_wait_ms") {
            s.hash_wait_ms = uint32_t(positive(v, "hash_wait_ms", 0, 10000));
        } else if (k == "hash_timeout_ms") {
            s.hash_timeout_ms = uint32_t(positive(v, "hash_timeout_ms", 100, 600000));
        } else if (k == "hash_workers") {
            s.hash_workers = uint32_t(positive(v, "hash_workers", 1, 16));
        } else if (k == "process_table_max") {
            s.process_table_max = uint32_t(positive(v, "process_table_max", 1024, 1 << 22));
        } else if (k == "exited_process_retention") {
            s.exited_process_retention = uint32_t(positive(v, "exited_process_retention", 16, 1 << 20));
        } else if (k == "status_interval_ms") {
            s.status_interval_ms = uint32_t(positive(v, "status_interval_ms", 100, 600000));
        } else if (k == "detection") {
            s.detection = boolean(v, "detection");
        } else if (k == "builtin_rules") {
            s.builtin_rules = boolean(v, "builtin_rules");
        } else if (k == "rules_dirs") {
            s.rules_dirs = string_list(v, "rules_dirs");
        } else if (k == "trusted_programs") {
            if (!v.IsArray()) throw std::runtime_error("behavior.trusted_programs: expected a list");
            for (const auto& t : v.GetArray()) {
                Settings::Trusted tp;
                if (t.IsString()) {
                    tp.path = t.GetString();
                } else if (t.IsObject() && t.HasMember("path") && t["path"].IsString()) {
                    tp.path = t["path"].GetString();
                    if (t.HasMember("descendants"))
                        tp.descendants = boolean(t["descendants"], "trusted_programs[].descendants");
                } else {
                    throw std::runtime_error("behavior.trusted_programs: each entry is a path glob or {path, descendants}");
                }
                if (tp.path.empty()) throw std::runtime_error("behavior.trusted_programs: empty path glob");
                s.trusted_programs.push_back(std::move(tp));
            }
        } else {
            throw std::runtime_error("behavior: unknown setting '" + k + "'");
        }
    }
    return s;
}

}  // namespace vigil::behavior
