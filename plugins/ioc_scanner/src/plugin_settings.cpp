#include "plugin_settings.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>
#include <thread>

namespace ioc {

const char* const kConfigSchema = R"schema({
  "type": "object",
  "properties": {
    "hash_max_size_mb": {"type": "integer", "minimum": 1, "maximum": 1048576,
                         "description": "files larger than this are not hashed (default 200)"},
    "strings_max_size_mb": {"type": "integer", "minimum": 1, "maximum": 1048576,
                            "description": "StringList reads at most this much of a file (default 200)"},
    "workers": {"type": "integer", "minimum": 1, "maximum": 64,
                "description": "parallel file workers (default: number of CPUs, at most 4)"},
    "nice": {"type": "integer", "minimum": 0, "maximum": 19, "description": "niceness of scan threads (default 10)"},
    "io_class": {"enum": ["idle", "best-effort", "none"], "description": "I/O class of scan threads (default best-effort)"},
    "io_level": {"type": "integer", "minimum": 0, "maximum": 7, "description": "best-effort I/O level (default 7)"},
    "cpu_limit_percent": {"type": "integer", "minimum": 0, "maximum": 6400,
                          "description": "CPU cap for a scan in percent of one core, 0 = none (default 0)"},
    "default_paths": {"type": "array", "items": {"type": "string", "pattern": "^/"}, "minItems": 1},
    "exclusions": {"type": "array", "items": {"type": "string", "minLength": 1}},
    "max_evidence": {"type": "integer", "minimum": 1, "maximum": 100000},
    "scan_other_mount_namespaces": {"type": "boolean"},
    "isolation_timeout_s": {"type": "integer", "minimum": 1, "maximum": 600},
    "keep_results": {"type": "integer", "minimum": 1, "maximum": 1000},
    "isolation_args": {"type": "object", "description": "arguments of isolation.on sent by the isolate action (default {})"}
  },
  "additionalProperties": false
})schema";

namespace {

unsigned get_uint(const rapidjson::Value& o, const char* k, unsigned def, unsigned lo, unsigned hi) {
    if (!o.HasMember(k)) return def;
    const auto& v = o[k];
    if (!v.IsUint() || v.GetUint() < lo || v.GetUint() > hi)
        throw std::invalid_argument(std::string(k) + " must be an integer from " + std::to_string(lo) +
                                    " to " + std::to_string(hi));
    return v.GetUint();
}

std::vector<std::string> get_strings(const rapidjson::Value& o, const char* k, std::vector<std::string> def) {
    if (!o.HasMember(k)) return def;
    const auto& v = o[k];
    if (!v.IsArray()) throw std::invalid_argument(std::string(k) + " must be a list of strings");
    std::vector<std::string> out;
    for (const auto& e : v.GetArray()) {
        if (!e.IsString()) throw std::invalid_argument(std::string(k) + " must be a list of strings");
        out.emplace_back(e.GetString());
    }
    return out;
}

}  // namespace

PluginSettings parse_settings(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.empty() ? "{}" : json.c_str());
    if (d.HasParseError() || !d.IsObject()) throw std::invalid_argument("settings are not a JSON object");
    PluginSettings s;
    EngineSettings& e = s.engine;
    e.limits.hash_max_bytes = uint64_t(get_uint(d, "hash_max_size_mb", 200, 1, 1048576)) << 20;
    e.limits.strings_max_bytes = uint64_t(get_uint(d, "strings_max_size_mb", 200, 1, 1048576)) << 20;
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    e.workers = get_uint(d, "workers", std::min(cpus, 4u), 1, 64);
    e.nice = int(get_uint(d, "nice", 10, 0, 19));
    if (d.HasMember("io_class")) {
        if (!d["io_class"].IsString())
            throw std::invalid_argument("io_class must be idle, best-effort or none");
        e.io_class = d["io_class"].GetString();
        if (e.io_class != "idle" && e.io_class != "best-effort" && e.io_class != "none")
            throw std::invalid_argument("io_class must be idle, best-effort or none");
    }
    e.io_level = int(get_uint(d, "io_level", 7, 0, 7));
    e.cpu_limit_percent = get_uint(d, "cpu_limit_percent", 0, 0, 6400);
    e.default_paths = get_strings(d, "default_paths", e.default_paths);
    for (const auto& p : e.default_paths)
        if (p.empty() || p[0] != '/')
            throw std::invalid_argument("default_paths: \"" + p + "\" is not absolute");
    e.default_exclusions = get_strings(d, "exclusions", e.default_exclusions);
    e.max_evidence = get_uint(d, "max_evidence", 100, 1, 100000);
    if (d.HasMember("scan_other_mount_namespaces")) {
        if (!d["scan_other_mount_namespaces"].IsBool())
            throw std::invalid_argument("scan_other_mount_namespaces must be true or false");
        s.scan_other_mount_namespaces = d["scan_other_mount_namespaces"].GetBool();
    }
    s.isolation_timeout_s = get_uint(d, "isolation_timeout_s", 30, 1, 600);
    s.keep_results = get_uint(d, "keep_results", 10, 1, 1000);
    if (d.HasMember("isolation_args")) {
        if (!d["isolation_args"].IsObject()) throw std::invalid_argument("isolation_args must be an object");
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        d["isolation_args"].Accept(w);
        s.isolation_args = sb.GetString();
    }
    return s;
}

}  // namespace ioc
