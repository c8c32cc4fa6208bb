#include "settings.hpp"

#include <rapidjson/document.h>

#include <stdexcept>

namespace file_threat {

std::string_view action_name(Action a) {
    switch (a) {
    case Action::Block: return "block";
    case Action::Quarantine: return "quarantine";
    case Action::Delete: return "delete";
    case Action::Notify: return "notify";
    }
    return "?";
}

std::optional<Action> parse_action(std::string_view name) {
    if (name == "block") return Action::Block;
    if (name == "quarantine") return Action::Quarantine;
    if (name == "delete") return Action::Delete;
    if (name == "notify") return Action::Notify;
    return std::nullopt;
}

namespace {

using Value = rapidjson::Value;

[[noreturn]] void bad(const std::string& key, const std::string& why) {
    throw std::invalid_argument("setting '" + key + "': " + why);
}

void read_bool(const Value& obj, const char* name, const std::string& prefix, bool& out) {
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd()) return;
    if (!it->value.IsBool()) bad(prefix + name, "must be true or false");
    out = it->value.GetBool();
}

template <class T>
void read_uint(const Value& obj, const char* name, const std::string& prefix, T& out, uint64_t min = 0) {
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd()) return;
    if (!it->value.IsUint64()) bad(prefix + name, "must be a non-negative integer");
    uint64_t v = it->value.GetUint64();
    if (v < min) bad(prefix + name, "must be at least " + std::to_string(min));
    out = T(v);
}

void read_paths(const Value& obj, const char* name, const std::string& prefix, std::vector<std::string>& out) {
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd()) return;
    if (!it->value.IsArray()) bad(prefix + name, "must be a list of paths");
    out.clear();
    for (const auto& v : it->value.GetArray()) {
        if (!v.IsString() || v.GetStringLength() == 0) bad(prefix + name, "every entry must be a non-empty string");
        out.emplace_back(v.GetString(), v.GetStringLength());
    }
}

void read_action(const Value& obj, const char* name, const std::string& prefix, Action& out) {
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd()) return;
    if (!it->value.IsString()) bad(prefix + name, "must be one of block, quarantine, delete, notify");
    auto a = parse_action(it->value.GetString());
    if (!a) bad(prefix + name, std::string("unknown action '") + it->value.GetString() +
                                   "' (expected block, quarantine, delete or notify)");
    out = *a;
}

void read_fail_mode(const Value& obj, const char* name, const std::string& prefix, FailMode& out) {
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd()) return;
    auto m = it->value.IsString() ? parse_fail_mode(it->value.GetString()) : std::nullopt;
    if (!m) bad(prefix + name, "must be one of allow, deny, deny_untrusted");
    out = *m;
}

const Value* object_member(const Value& obj, const char* name) {
    auto it = obj.FindMember(name);
    if (it == obj.MemberEnd()) return nullptr;
    if (!it->value.IsObject()) bad(name, "must be an object");
    return &it->value;
}

}  // namespace

Settings parse_settings(const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.empty() ? "{}" : json.c_str());
    if (doc.HasParseError()) throw std::invalid_argument("settings are not valid JSON");
    if (!doc.IsObject()) throw std::invalid_argument("settings must be a JSON object");

    Settings s;
    read_paths(doc, "yara_rules", "", s.yara_rules);
    read_paths(doc, "hash_lists", "", s.hash_lists);
    read_bool(doc, "eicar", "", s.eicar);
    read_paths(doc, "exclusions", "", s.exclusions);
    uint64_t mb = s.max_file_size >> 20;
    read_uint(doc, "max_file_size_mb", "", mb);
    s.max_file_size = mb << 20;
    read_uint(doc, "scan_timeout_ms", "", s.scan_timeout_ms, 10);
    read_uint(doc, "status_interval_ms", "", s.status_interval_ms, 100);

    if (const Value* oa = object_member(doc, "on_access")) {
        const std::string p = "on_access.";
        read_bool(*oa, "enabled", p, s.on_access.enabled);
        read_paths(*oa, "mounts", p, s.on_access.mounts);
        read_paths(*oa, "filesystems", p, s.on_access.filesystems);
        read_bool(*oa, "scan_on_open", p, s.on_access.scan_on_open);
        read_bool(*oa, "scan_on_exec", p, s.on_access.scan_on_exec);
        read_bool(*oa, "scan_after_write", p, s.on_access.scan_after_write);
        read_uint(*oa, "workers", p, s.on_access.workers, 1);
        read_uint(*oa, "queue_size", p, s.on_access.queue_size, 1);
        read_uint(*oa, "cache_size", p, s.on_access.cache_size);
        read_bool(*oa, "kernel_cache", p, s.on_access.kernel_cache);
        read_action(*oa, "first_action", p, s.on_access.actions.first);
        read_action(*oa, "second_action", p, s.on_access.actions.second);
        read_uint(*oa, "test_scan_delay_ms", p, s.on_access.test_scan_delay_ms);
        read_bool(*oa, "local_filesystems", p, s.on_access.local_filesystems);
        read_bool(*oa, "scan_interpreters", p, s.on_access.scan_interpreters);
        read_paths(*oa, "interpreters", p, s.on_access.interpreters);
        read_paths(*oa, "trusted_paths", p, s.on_access.fail.trusted_paths);
        if (auto it = oa->FindMember("fail_mode"); it != oa->MemberEnd()) {
            if (!it->value.IsObject()) bad(p + "fail_mode", "must be an object");
            const std::string fp = p + "fail_mode.";
            read_fail_mode(it->value, "exec", fp, s.on_access.fail.exec);
            read_fail_mode(it->value, "open", fp, s.on_access.fail.open);
            read_fail_mode(it->value, "script", fp, s.on_access.fail.script);
        }
    }
    if (const Value* od = object_member(doc, "on_demand")) {
        const std::string p = "on_demand.";
        read_action(*od, "first_action", p, s.on_demand.actions.first);
        read_action(*od, "second_action", p, s.on_demand.actions.second);
        read_uint(*od, "max_concurrent_scans", p, s.on_demand.max_concurrent_scans, 1);
    }
    if (const Value* ep = object_member(doc, "execution_prevention"))
        read_bool(*ep, "enabled", "execution_prevention.", s.execution_prevention);
    return s;
}

}  // namespace file_threat
