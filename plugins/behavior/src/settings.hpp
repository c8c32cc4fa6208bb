// The plugin's settings (its YAML section as JSON). Keys, bounds and defaults are
// settings.schema.json's; the initializers equal its defaults (a unit test checks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "process/hash_options.hpp"

namespace vigil::behavior {

// The hash_* keys are the HashOptions base.
struct Settings : HashOptions {
    std::string sensor = "auto";   // auto | ebpf | netlink
    std::string mode = "notify";   // notify | block (detection)
    bool process_events = true;
    bool network_events = true;
    bool file_events = true;
    std::vector<std::string> file_watch_paths{"/"};
    std::vector<std::string> file_exclude_paths{"/proc", "/sys", "/dev", "/run"};
    uint32_t file_modify_merge_ms = 1000;
    uint32_t sock_diag_interval_ms = 500;
    uint32_t ring_buffer_kib = 0;  // 0: sized by ring_buffer_kib_in_use()
    uint32_t process_table_max = 65536;
    uint32_t exited_process_retention = 4096;
    uint32_t status_interval_ms = 2000;
    // Detection (Sigma)
    bool detection = true;
    bool builtin_rules = true;
    std::vector<std::string> rules_dirs;
    struct Trusted {
        std::string path;       // glob on the executable path
        bool descendants = false;
        bool operator==(const Trusted&) const = default;
    };
    std::vector<Trusted> trusted_programs;
    std::string raw_json = "{}";   // the whole section, for the detection engine
    bool operator==(const Settings&) const = default;
};

// Maps the settings the host validated and defaulted; throws std::runtime_error
// naming the key on what the schema cannot check.
Settings parse_settings(const std::string& json);

// The eBPF ring buffer size in use: `configured`, or with 0 (the default) 2 MiB
// per online CPU as a power of two between 4 MiB and 64 MiB. libbpf maps the
// data area twice (wrap-around), so the agent's RSS shows twice this size.
uint32_t ring_buffer_kib_in_use(uint32_t configured, unsigned online_cpus);

// JSON Schema (draft 4) of the settings, embedded in the plugin.
extern const char* const kSettingsSchema;

}  // namespace vigil::behavior
