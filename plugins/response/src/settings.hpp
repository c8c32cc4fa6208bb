// Settings of the response plugin (its YAML section as JSON) mapped into a
// typed struct. settings.schema.json (compiled in as kConfigSchema) is the
// only statement of keys, bounds and defaults: the host validates against it
// and fills the defaults before create(); the initializers below equal the
// schema's defaults (a unit test compares them).
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
    bool operator==(const ResponseConfig&) const = default;
};

// The protected paths used when the settings do not name any.
const std::vector<std::string>& default_protected_paths();

// Maps the validated, defaulted settings (an absent key keeps its default;
// protected_paths defaults to default_protected_paths(), its "x-default")
// and checks what the schema cannot: run_default_timeout_s <=
// run_max_timeout_s. Throws std::runtime_error naming the key.
ResponseConfig parse_config(std::string_view json);

// JSON Schema (draft 4) of the settings, embedded in the plugin info.
extern const char* const kConfigSchema;

}  // namespace vigil::response
