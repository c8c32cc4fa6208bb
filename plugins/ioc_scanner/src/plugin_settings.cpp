#include "plugin_settings.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>
#include <thread>

namespace ioc {

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
