#include "settings.hpp"

#include <stdexcept>
#include <vigil/settings.hpp>

#include "task_authorization.hpp"

namespace vigil::kataedr {

namespace {

std::invalid_argument bad(std::string_view key, std::string_view why) {
    return std::invalid_argument("kataedr." + std::string(key) + ": " + std::string(why));
}

// Each URL's host and port (the schema only says "starts with https://").
std::vector<ServerUrl> server_urls(const std::vector<std::string>& texts) {
    std::vector<ServerUrl> out;
    for (size_t i = 0; i < texts.size(); ++i) {
        try {
            out.push_back(parse_server_url(texts[i]));
        } catch (const std::invalid_argument& e) {
            throw bad("servers[" + std::to_string(i) + "]", e.what());
        }
    }
    return out;
}

// {exe, cmdline} objects (shape, non-empty strings and no other keys are the schema's).
std::vector<ExclusionRule> exclusion_rules(const vigil::SettingsReader& r) {
    std::vector<ExclusionRule> out;
    const json::Value* list = r.find("exclusions");
    if (!list) return out;
    for (const auto& item : list->items()) {
        ExclusionRule rule;
        if (const json::Value* v = item.find("exe"); v && v->is_string()) rule.exe_glob = v->as_string();
        if (const json::Value* v = item.find("cmdline"); v && v->is_string()) rule.cmdline_regex = v->as_string();
        if (rule.exe_glob.empty() && rule.cmdline_regex.empty())
            throw bad("exclusions[" + std::to_string(out.size()) + "]",
                      "needs \"exe\" (path glob) and/or \"cmdline\" (regex)");
        out.push_back(std::move(rule));
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

// allowed_tasks entries: product types, "<plugin>.<verb>", "<plugin>.*", "quarantine_restore:path".
void check_allowed_tasks(const std::vector<std::string>& allowed) {
    for (size_t i = 0; i < allowed.size(); ++i) {
        const std::string& e = allowed[i];
        bool product = false;
        for (const auto& t : product_task_types()) product = product || e == t;
        if (!product && e != "quarantine_restore:path" && !plugin_verb(e, false) && !plugin_verb(e, true))
            throw bad("allowed_tasks[" + std::to_string(i) + "]",
                      "unknown task type \"" + e + "\" (a task type such as isolate, a command <plugin>.<verb>, "
                      "<plugin>.*, or quarantine_restore:path)");
    }
}

// What the schema cannot say: fields that depend on each other, task names.
void check_cross_fields(const Settings& s) {
    if (s.mutual_auth && s.client_p12.empty())
        throw bad("client_p12", "required when mutual_auth is true (PKCS#12 file with the client certificate)");
    if (s.max_string_bytes > s.max_event_bytes)
        throw bad("max_string_bytes", "must not exceed max_event_bytes (" + std::to_string(s.max_event_bytes) + ")");
    if (s.max_event_bytes > s.max_batch_bytes)
        throw bad("max_event_bytes", "must not exceed max_batch_bytes (" + std::to_string(s.max_batch_bytes) + ")");
    check_allowed_tasks(s.allowed_tasks);
}

}  // namespace

// The host has validated the settings against settings.schema.json and filled
// its defaults; this maps them (an absent key keeps the field's initializer,
// which equals the schema's default; servers and server_ca are required).
Settings parse_settings(std::string_view json) {
    Settings s;
    try {
        const vigil::SettingsReader r(json);
        s.servers = server_urls(r.strings("servers"));
        s.server_ca = r.str("server_ca");
        r.into("mutual_auth", s.mutual_auth);
        r.into("client_p12", s.client_p12);
        r.into("client_p12_password_file", s.client_p12_password_file);
        r.into("enrollment_token_file", s.enrollment_token_file);
        r.into("connect_timeout_s", s.connect_timeout_s);
        r.into("request_timeout_s", s.request_timeout_s);
        r.into("sync_period_s", s.sync_period_s);
        r.into("max_send_delay_s", s.max_send_delay_s);
        r.into("max_batch_events", s.max_batch_events);
        r.into("parallel_uploads", s.parallel_uploads);
        r.into("rate_limit_enabled", s.rate_limit_enabled);
        r.into("events_per_hour", s.events_per_hour);
        r.into("type_threshold_percent", s.type_threshold_percent);
        r.into("owner_share_percent", s.owner_share_percent);
        r.into("detection_tree_protect_s", s.detection_tree_protect_s);
        r.into("max_event_bytes", s.max_event_bytes);
        r.into("max_string_bytes", s.max_string_bytes);
        r.into("max_batch_bytes", s.max_batch_bytes);
        r.into("max_batch_compressed_bytes", s.max_batch_compressed_bytes);
        r.into("telemetry_enabled", s.telemetry_enabled);
        s.exclusions = exclusion_rules(r);
        r.into("spool_max_mb", s.spool_max_mb);
        r.into("task_poll_wait_s", s.task_poll_wait_s);
        r.into("task_timeout_s", s.task_timeout_s);
        s.allowed_tasks = product_task_types();  // the schema's x-default
        r.into("allowed_tasks", s.allowed_tasks);
        r.into("task_signing_keys", s.task_signing_keys);
    } catch (const vigil::SettingsError& e) {
        throw std::invalid_argument(std::string("kataedr settings: ") + e.what());
    }
    check_cross_fields(s);
    return s;
}

}  // namespace vigil::kataedr
