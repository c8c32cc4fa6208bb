// Settings of the response plugin (its YAML section as JSON) and their
// JSON Schema. Defaults are documented in the README.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::response {

struct ResponseConfig {
    // get_file
    uint64_t max_file_size = 100ull * 1024 * 1024;       // bytes
    uint64_t staging_max_bytes = 1024ull * 1024 * 1024;  // all staged copies together
    uint32_t staging_ttl_s = 3600;                       // unfetched copies are removed after
    // delete_file
    std::vector<std::string> protected_paths;        // replaces the defaults when set
    std::vector<std::string> extra_protected_paths;  // added to them
    // run_process
    double run_default_timeout_s = 600;
    double run_max_timeout_s = 3600;
    uint64_t max_output_bytes = 1024 * 1024;  // each of stdout and stderr
    // terminate_process
    double terminate_grace_s = 5;
    uint32_t start_time_tolerance_ms = 1000;
    // both
    uint64_t hash_max_file_size = 200ull * 1024 * 1024;  // exe hashing / expected-SHA checks
    uint32_t max_concurrent_actions = 8;
};

// The protected paths used when the settings do not name any.
const std::vector<std::string>& default_protected_paths();

// Parses and validates the settings (defaults for absent keys); throws
// std::runtime_error naming the key on a bad value.
ResponseConfig parse_config(std::string_view json);

// JSON Schema (draft 4) of the settings, embedded in the plugin info.
extern const char* const kConfigSchema;

}  // namespace vigil::response
