#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "action.hpp"
#include "fail_policy.hpp"

namespace vigil::file_threat {

// The plugin's settings (its YAML section as JSON) mapped into typed structs.
// settings.schema.json (compiled in as kConfigSchema) is the only statement of
// keys, bounds and defaults: the host validates against it and fills the
// defaults before create(); the initializers below equal the schema's
// defaults (a unit test compares them) and mirror the established product
// where it has an equivalent.
struct OnAccessSettings {
    bool enabled = true;
    std::vector<std::string> mounts;       // FAN_MARK_MOUNT
    std::vector<std::string> filesystems;  // FAN_MARK_FILESYSTEM
    bool local_filesystems = true;         // FAN_MARK_FILESYSTEM on every writable local file system
    bool scan_interpreters = true;         // files opened by known interpreters are scanned on open
    std::vector<std::string> interpreters = default_interpreters();
    FailPolicy fail{FailMode::DenyUntrusted, FailMode::Allow, FailMode::Allow, default_trusted_paths()};
    bool scan_on_open = false;             // FAN_OPEN_PERM
    bool scan_on_exec = true;              // FAN_OPEN_EXEC_PERM
    bool scan_after_write = true;          // FAN_CLOSE_WRITE (asynchronous)
    unsigned workers = 2;
    unsigned queue_size = 1024;
    unsigned cache_size = 65536;
    bool kernel_cache = true;  // fanotify ignore marks on clean inodes
    ActionPair actions{Action::Quarantine, Action::Block};
    // TEST ONLY: sleeps this long inside every on-access scan so tests can
    // exercise the scan time limit and stop-while-scanning. Never set in
    // production.
    unsigned test_scan_delay_ms = 0;
    bool operator==(const OnAccessSettings&) const = default;
};

struct OnDemandSettings {
    ActionPair actions{Action::Quarantine, Action::Notify};
    unsigned max_concurrent_scans = 2;
    bool operator==(const OnDemandSettings&) const = default;
};

struct Settings {
    std::vector<std::string> yara_rules;  // files and directories, compiled in order
    std::vector<std::string> hash_lists;
    bool eicar = true;
    std::vector<std::string> exclusions;  // path prefixes or glob masks
    uint64_t max_file_size = 64ull << 20;  // 0 = no limit
    unsigned scan_timeout_ms = 5000;
    unsigned status_interval_ms = 2000;
    OnAccessSettings on_access;
    OnDemandSettings on_demand;
    bool execution_prevention = true;
    bool operator==(const Settings&) const = default;
};

// Maps the validated, defaulted settings JSON; an absent key keeps its
// default. Throws std::invalid_argument naming the key of a wrong type or an
// unknown action / fail mode.
Settings parse_settings(const std::string& json);

}  // namespace vigil::file_threat
