#include "settings.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vigil/settings.hpp>

namespace vigil::ioc_scanner {

namespace {

// isolation_args is passed on as JSON text (the isolation plugin judges it).
std::string object_text(const std::string& json, const char* key) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember(key)) return "{}";
    if (!d[key].IsObject()) throw std::invalid_argument(std::string(key) + " must be an object");
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d[key].Accept(w);
    return sb.GetString();
}

}  // namespace

unsigned default_workers() { return std::min(std::max(1u, std::thread::hardware_concurrency()), 4u); }

// Bounds, enums and absolute paths are the schema's (the host refused what
// breaks them); this only maps, converting MiB to bytes.
PluginSettings parse_settings(const std::string& json) {
    PluginSettings s;
    EngineSettings& e = s.engine;
    try {
        const vigil::SettingsReader r(json);
        uint64_t hash_mb = e.limits.hash_max_bytes >> 20, strings_mb = e.limits.strings_max_bytes >> 20;
        r.into("hash_max_size_mb", hash_mb);
        r.into("strings_max_size_mb", strings_mb);
        // The schema's maximum (1 TiB), kept so the shift cannot overflow.
        e.limits.hash_max_bytes = std::min<uint64_t>(hash_mb, 1u << 20) << 20;
        e.limits.strings_max_bytes = std::min<uint64_t>(strings_mb, 1u << 20) << 20;
        e.workers = default_workers();
        r.into("workers", e.workers);
        r.into("nice", e.nice);
        r.into("io_class", e.io_class);
        r.into("io_level", e.io_level);
        r.into("cpu_limit_percent", e.cpu_limit_percent);
        r.into("default_paths", e.default_paths);
        r.into("exclusions", e.default_exclusions);
        r.into("max_evidence", e.max_evidence);
        r.into("scan_other_mount_namespaces", s.scan_other_mount_namespaces);
        r.into("isolation_timeout_s", s.isolation_timeout_s);
        r.into("keep_results", s.keep_results);
    } catch (const vigil::SettingsError& err) {
        throw std::invalid_argument(err.what());
    }
    s.isolation_args = object_text(json, "isolation_args");
    return s;
}

}  // namespace vigil::ioc_scanner
