#include "response_config.hpp"

#include <stdexcept>

#include <vigil/common/protected_paths.hpp>

#include "json_args.hpp"

namespace vigil::response {

const std::vector<std::string>& default_protected_paths() { return common::default_protected_paths(); }

namespace {
std::vector<std::string> path_list(ArgReader& r, const char* key) {
    std::vector<std::string> out;
    const auto* v = r.raw(key);
    if (!v) return out;
    if (!v->IsArray())
        throw ArgError(std::string("setting \"") + key + "\" must be a list of absolute paths");
    for (const auto& item : v->GetArray()) {
        std::string s = expect_string(item, std::string("an entry of \"") + key + "\"");
        if (s.empty() || s.front() != '/')
            throw ArgError(std::string("an entry of \"") + key + "\" is not an absolute path: \"" + s + "\"");
        out.push_back(std::move(s));
    }
    return out;
}
}  // namespace

ResponseConfig parse_config(std::string_view json) {
    ResponseConfig c;
    try {
        ArgReader r(json);
        if (auto v = r.uinteger("max_file_size", 1ull << 40)) c.max_file_size = *v;
        if (auto v = r.uinteger("staging_max_bytes", 1ull << 42)) c.staging_max_bytes = *v;
        if (auto v = r.uinteger("staging_ttl_s", 30 * 86400)) c.staging_ttl_s = uint32_t(*v);
        if (r.has("protected_paths"))
            c.protected_paths = path_list(r, "protected_paths");
        else
            c.protected_paths = default_protected_paths();
        c.extra_protected_paths = path_list(r, "extra_protected_paths");
        if (auto v = r.seconds("run_max_timeout_s", 7 * 86400.0)) c.run_max_timeout_s = *v;
        if (auto v = r.seconds("run_default_timeout_s", 7 * 86400.0)) c.run_default_timeout_s = *v;
        if (auto v = r.uinteger("max_output_bytes", 64ull << 20)) c.max_output_bytes = *v;
        if (auto v = r.seconds("terminate_grace_s", 300)) c.terminate_grace_s = *v;
        if (auto v = r.uinteger("start_time_tolerance_ms", 60000)) c.start_time_tolerance_ms = uint32_t(*v);
        if (auto v = r.uinteger("hash_max_file_size", 1ull << 40)) c.hash_max_file_size = *v;
        if (auto v = r.uinteger("max_concurrent_actions", 64)) c.max_concurrent_actions = uint32_t(*v);
        r.finish();
    } catch (const ArgError& e) {
        std::string m = e.what();
        // ArgReader speaks of fields; in the settings they are settings.
        if (m.rfind("field ", 0) == 0) m = "setting " + m.substr(6);
        if (m.rfind("unknown field ", 0) == 0) m = "unknown setting " + m.substr(14);
        throw std::runtime_error("response settings: " + m);
    }
    if (c.run_max_timeout_s <= 0)
        throw std::runtime_error("response settings: run_max_timeout_s must be > 0");
    if (c.run_default_timeout_s <= 0 || c.run_default_timeout_s > c.run_max_timeout_s)
        throw std::runtime_error(
            "response settings: run_default_timeout_s must be > 0 and <= run_max_timeout_s");
    if (c.max_file_size == 0) throw std::runtime_error("response settings: max_file_size must be > 0");
    if (c.max_concurrent_actions == 0)
        throw std::runtime_error("response settings: max_concurrent_actions must be > 0");
    return c;
}

}  // namespace vigil::response
