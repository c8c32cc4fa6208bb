#include "settings.hpp"

#include <stdexcept>
#include <vigil/enum_table.hpp>
#include <vigil/settings.hpp>

namespace vigil::file_threat {

namespace {
constexpr vigil::EnumName<Action> kActions[] = {
    {Action::Block, "block"}, {Action::Quarantine, "quarantine"}, {Action::Delete, "delete"},
    {Action::Notify, "notify"}};
}  // namespace

std::string_view action_name(Action a) { return vigil::enum_name(kActions, a, "?"); }

std::optional<Action> parse_action(std::string_view name) { return vigil::enum_from_name(kActions, name); }

namespace {

// Actions and fail modes map names to enums; the schema's enum has refused
// other names, and this refuses them again (naming the key) for settings that
// never passed a host (benchmarks, fuzz targets).
void action_into(const vigil::SettingsReader& r, const std::string& key, Action& out) {
    const auto name = r.opt_str(key);
    if (!name) return;
    const auto a = parse_action(*name);
    if (!a)
        throw std::invalid_argument("setting '" + key + "': unknown action '" + *name +
                                    "' (expected block, quarantine, delete or notify)");
    out = *a;
}

void fail_mode_into(const vigil::SettingsReader& r, const std::string& key, FailMode& out) {
    const auto name = r.opt_str(key);
    if (!name) return;
    const auto m = parse_fail_mode(*name);
    if (!m) throw std::invalid_argument("setting '" + key + "': must be one of allow, deny, deny_untrusted");
    out = *m;
}

void on_access_into(const vigil::SettingsReader& r, OnAccessSettings& oa) {
    r.into("on_access.enabled", oa.enabled);
    r.into("on_access.mounts", oa.mounts);
    r.into("on_access.filesystems", oa.filesystems);
    r.into("on_access.scan_on_open", oa.scan_on_open);
    r.into("on_access.scan_on_exec", oa.scan_on_exec);
    r.into("on_access.scan_after_write", oa.scan_after_write);
    r.into("on_access.workers", oa.workers);
    r.into("on_access.queue_size", oa.queue_size);
    r.into("on_access.cache_size", oa.cache_size);
    r.into("on_access.kernel_cache", oa.kernel_cache);
    action_into(r, "on_access.first_action", oa.actions.first);
    action_into(r, "on_access.second_action", oa.actions.second);
    r.into("on_access.test_scan_delay_ms", oa.test_scan_delay_ms);
    r.into("on_access.local_filesystems", oa.local_filesystems);
    r.into("on_access.scan_interpreters", oa.scan_interpreters);
    r.into("on_access.interpreters", oa.interpreters);
    r.into("on_access.trusted_paths", oa.fail.trusted_paths);
    fail_mode_into(r, "on_access.fail_mode.exec", oa.fail.exec);
    fail_mode_into(r, "on_access.fail_mode.open", oa.fail.open);
    fail_mode_into(r, "on_access.fail_mode.script", oa.fail.script);
}

}  // namespace

// The host has validated the settings against settings.schema.json and filled
// its defaults (interpreters and trusted_paths are "x-default": computed
// here); this maps them, an absent key keeping the field's initializer.
Settings parse_settings(const std::string& json) {
    Settings s;
    try {
        const vigil::SettingsReader r(json);
        r.into("yara_rules", s.yara_rules);
        r.into("hash_lists", s.hash_lists);
        r.into("eicar", s.eicar);
        r.into("exclusions", s.exclusions);
        uint64_t mb = s.max_file_size >> 20;
        r.into("max_file_size_mb", mb);
        s.max_file_size = mb << 20;
        r.into("scan_timeout_ms", s.scan_timeout_ms);
        r.into("status_interval_ms", s.status_interval_ms);
        on_access_into(r, s.on_access);
        action_into(r, "on_demand.first_action", s.on_demand.actions.first);
        action_into(r, "on_demand.second_action", s.on_demand.actions.second);
        r.into("on_demand.max_concurrent_scans", s.on_demand.max_concurrent_scans);
        r.into("execution_prevention.enabled", s.execution_prevention);
    } catch (const vigil::SettingsError& e) {
        throw std::invalid_argument(e.what());
    }
    return s;
}

}  // namespace vigil::file_threat
