#include "settings.hpp"

#include <rapidjson/document.h>

#include <stdexcept>

#include "task_authorization.hpp"

namespace vigil::kataedr {

namespace {

std::invalid_argument bad(std::string_view key, std::string_view why) {
    return std::invalid_argument("kataedr." + std::string(key) + ": " + std::string(why));
}

uint64_t get_uint(const rapidjson::Value& obj, const char* key, uint64_t def, uint64_t min, uint64_t max) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return def;
    if (!it->value.IsUint64()) throw bad(key, "must be a non-negative integer");
    uint64_t v = it->value.GetUint64();
    if (v < min || v > max)
        throw bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                           std::to_string(v));
    return v;
}

bool get_bool(const rapidjson::Value& obj, const char* key, bool def) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return def;
    if (!it->value.IsBool()) throw bad(key, "must be true or false");
    return it->value.GetBool();
}

std::string get_string(const rapidjson::Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return {};
    if (!it->value.IsString()) throw bad(key, "must be a string");
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::vector<std::string> string_list(const rapidjson::Value& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return out;
    if (!it->value.IsArray()) throw bad(key, "must be a list of strings");
    for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
        const auto& v = it->value[i];
        if (!v.IsString() || v.GetStringLength() == 0)
            throw bad(std::string(key) + "[" + std::to_string(i) + "]", "must be a non-empty string");
        out.emplace_back(v.GetString(), v.GetStringLength());
    }
    return out;
}

bool plugin_verb(std::string_view s, bool wildcard_verb) {
    size_t dot = s.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) return false;
    auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; };
    for (size_t i = 0; i < s.size(); ++i)
        if (i != dot && !ok(s[i]) && !(wildcard_verb && i == s.size() - 1 && s[i] == '*')) return false;
    return !wildcard_verb || s.substr(dot + 1) == "*";
}

// allowed_tasks (product types, "<plugin>.<verb>", "<plugin>.*", "quarantine_restore:path")
// and task_signing_keys (files; loaded by make_task_policy).
void parse_task_limits(const rapidjson::Value& doc, Settings& s) {
    auto allowed = doc.FindMember("allowed_tasks");
    s.allowed_tasks = allowed == doc.MemberEnd() ? product_task_types() : string_list(doc, "allowed_tasks");
    for (size_t i = 0; i < s.allowed_tasks.size(); ++i) {
        const std::string& e = s.allowed_tasks[i];
        bool product = false;
        for (const auto& t : product_task_types()) product = product || e == t;
        if (!product && e != "quarantine_restore:path" && !plugin_verb(e, false) && !plugin_verb(e, true))
            throw bad("allowed_tasks[" + std::to_string(i) + "]",
                      "unknown task type \"" + e + "\" (a task type such as isolate, a command <plugin>.<verb>, "
                      "<plugin>.*, or quarantine_restore:path)");
    }
    s.task_signing_keys = string_list(doc, "task_signing_keys");
}

}  // namespace

Settings parse_settings(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw std::invalid_argument("kataedr: settings are not a JSON object");
    static const char* known[] = {"servers",
                                  "server_ca",
                                  "mutual_auth",
                                  "client_p12",
                                  "client_p12_password_file",
                                  "enrollment_token_file",
                                  "connect_timeout_s",
                                  "request_timeout_s",
                                  "sync_period_s",
                                  "max_send_delay_s",
                                  "max_batch_events",
                                  "parallel_uploads",
                                  "rate_limit_enabled",
                                  "events_per_hour",
                                  "type_threshold_percent",
                                  "owner_share_percent",
                                  "detection_tree_protect_s",
                                  "max_event_bytes",
                                  "max_string_bytes",
                                  "max_batch_bytes",
                                  "max_batch_compressed_bytes",
                                  "telemetry_enabled",
                                  "exclusions",
                                  "spool_max_mb",
                                  "task_poll_wait_s",
                                  "task_timeout_s",
                                  "allowed_tasks",
                                  "task_signing_keys"};
    for (auto& m : doc.GetObject()) {
        std::string_view name(m.name.GetString(), m.name.GetStringLength());
        bool found = false;
        for (const char* k : known) found = found || name == k;
        if (!found) throw bad(name, "unknown setting");
    }

    Settings s;
    auto servers = doc.FindMember("servers");
    if (servers == doc.MemberEnd() || !servers->value.IsArray() || servers->value.Empty())
        throw bad("servers", "required: a non-empty list of https://host:port URLs");
    for (rapidjson::SizeType i = 0; i < servers->value.Size(); ++i) {
        const auto& v = servers->value[i];
        std::string key = "servers[" + std::to_string(i) + "]";
        if (!v.IsString()) throw bad(key, "must be a string");
        try {
            s.servers.push_back(parse_server_url(std::string_view(v.GetString(), v.GetStringLength())));
        } catch (const std::invalid_argument& e) {
            throw bad(key, e.what());
        }
    }

    s.server_ca = get_string(doc, "server_ca");
    if (s.server_ca.empty())
        throw bad("server_ca",
                  "required: the CA certificate or the pinned server certificate (PEM file); "
                  "the connector never talks to an unverified server");
    s.mutual_auth = get_bool(doc, "mutual_auth", false);
    s.client_p12 = get_string(doc, "client_p12");
    s.client_p12_password_file = get_string(doc, "client_p12_password_file");
    s.enrollment_token_file = get_string(doc, "enrollment_token_file");
    if (s.mutual_auth && s.client_p12.empty())
        throw bad("client_p12",
                  "required when mutual_auth is true (PKCS#12 file with the client certificate)");
    s.connect_timeout_s = uint32_t(get_uint(doc, "connect_timeout_s", s.connect_timeout_s, 1, 300));
    s.request_timeout_s = uint32_t(get_uint(doc, "request_timeout_s", s.request_timeout_s, 1, 600));
    s.sync_period_s = uint32_t(get_uint(doc, "sync_period_s", s.sync_period_s, 1, 86400));
    s.max_send_delay_s = uint32_t(get_uint(doc, "max_send_delay_s", s.max_send_delay_s, 1, 3600));
    s.max_batch_events = uint32_t(get_uint(doc, "max_batch_events", s.max_batch_events, 1, 100000));
    s.parallel_uploads = uint32_t(get_uint(doc, "parallel_uploads", s.parallel_uploads, 1, 8));
    s.rate_limit_enabled = get_bool(doc, "rate_limit_enabled", s.rate_limit_enabled);
    s.events_per_hour = uint32_t(get_uint(doc, "events_per_hour", s.events_per_hour, 1, 1000000000));
    s.type_threshold_percent =
        uint32_t(get_uint(doc, "type_threshold_percent", s.type_threshold_percent, 1, 100));
    s.owner_share_percent = uint32_t(get_uint(doc, "owner_share_percent", s.owner_share_percent, 1, 100));
    s.detection_tree_protect_s =
        uint32_t(get_uint(doc, "detection_tree_protect_s", s.detection_tree_protect_s, 0, 604800));
    s.max_event_bytes = uint32_t(get_uint(doc, "max_event_bytes", s.max_event_bytes, 4096, 16777216));
    s.max_string_bytes = uint32_t(get_uint(doc, "max_string_bytes", s.max_string_bytes, 256, 16777216));
    s.max_batch_bytes = get_uint(doc, "max_batch_bytes", s.max_batch_bytes, 1048576, 268435456);
    s.max_batch_compressed_bytes =
        get_uint(doc, "max_batch_compressed_bytes", s.max_batch_compressed_bytes, 2097152, 67108864);
    if (s.max_string_bytes > s.max_event_bytes)
        throw bad("max_string_bytes", "must not exceed max_event_bytes (" + std::to_string(s.max_event_bytes) + ")");
    if (s.max_event_bytes > s.max_batch_bytes)
        throw bad("max_event_bytes", "must not exceed max_batch_bytes (" + std::to_string(s.max_batch_bytes) + ")");
    s.telemetry_enabled = get_bool(doc, "telemetry_enabled", s.telemetry_enabled);
    if (auto it = doc.FindMember("spool_max_mb"); it != doc.MemberEnd()) {
        if (!it->value.IsNumber() || it->value.GetDouble() < 0.01 || it->value.GetDouble() > 1048576)
            throw bad("spool_max_mb", "must be a number from 0.01 to 1048576 (MiB)");
        s.spool_max_mb = it->value.GetDouble();
    }
    s.task_poll_wait_s = uint32_t(get_uint(doc, "task_poll_wait_s", s.task_poll_wait_s, 1, 60));
    s.task_timeout_s = uint32_t(get_uint(doc, "task_timeout_s", s.task_timeout_s, 1, 86400));

    parse_task_limits(doc, s);

    auto ex = doc.FindMember("exclusions");
    if (ex != doc.MemberEnd()) {
        if (!ex->value.IsArray()) throw bad("exclusions", "must be a list of {exe, cmdline} rules");
        for (rapidjson::SizeType i = 0; i < ex->value.Size(); ++i) {
            const auto& r = ex->value[i];
            std::string key = "exclusions[" + std::to_string(i) + "]";
            if (!r.IsObject()) throw bad(key, "must be an object with \"exe\" and/or \"cmdline\"");
            ExclusionRule rule;
            for (auto& m : r.GetObject()) {
                std::string_view name(m.name.GetString(), m.name.GetStringLength());
                if (!m.value.IsString() || m.value.GetStringLength() == 0)
                    throw bad(key + "." + std::string(name), "must be a non-empty string");
                std::string value(m.value.GetString(), m.value.GetStringLength());
                if (name == "exe")
                    rule.exe_glob = value;
                else if (name == "cmdline")
                    rule.cmdline_regex = value;
                else
                    throw bad(key + "." + std::string(name), "unknown key (use \"exe\" or \"cmdline\")");
            }
            if (rule.exe_glob.empty() && rule.cmdline_regex.empty())
                throw bad(key, "needs \"exe\" (path glob) and/or \"cmdline\" (regex)");
            s.exclusions.push_back(std::move(rule));
        }
    }
    return s;
}

}  // namespace vigil::kataedr
