#include "settings.hpp"

#include <stdexcept>
#include <vigil/common/protected_paths.hpp>
#include <vigil/settings.hpp>

namespace vigil::response {

const std::vector<std::string>& default_protected_paths() { return common::default_protected_paths(); }

// Bounds, types and absolute paths are the schema's (the host refused what
// breaks them); this maps, then checks the one rule between two keys.
ResponseConfig parse_config(std::string_view json) {
    ResponseConfig c;
    c.protected_paths = default_protected_paths();
    try {
        const vigil::SettingsReader r(json);
        // Grouped by type: sizes (bytes), durations (s), counts; then the path lists.
        for (auto [key, field] : {std::pair{"max_file_size", &c.max_file_size},
                                  std::pair{"staging_max_bytes", &c.staging_max_bytes},
                                  std::pair{"max_output_bytes", &c.max_output_bytes},
                                  std::pair{"hash_max_file_size", &c.hash_max_file_size}})
            r.into(key, *field);
        for (auto [key, field] : {std::pair{"run_max_timeout_s", &c.run_max_timeout_s},
                                  std::pair{"run_default_timeout_s", &c.run_default_timeout_s},
                                  std::pair{"terminate_grace_s", &c.terminate_grace_s}})
            r.into(key, *field);
        for (auto [key, field] : {std::pair{"staging_ttl_s", &c.staging_ttl_s},
                                  std::pair{"start_time_tolerance_ms", &c.start_time_tolerance_ms},
                                  std::pair{"max_concurrent_actions", &c.max_concurrent_actions}})
            r.into(key, *field);
        r.into("protected_paths", c.protected_paths);
        r.into("extra_protected_paths", c.extra_protected_paths);
    } catch (const vigil::SettingsError& e) {
        throw std::runtime_error(std::string("response settings: ") + e.what());
    }
    if (c.run_default_timeout_s > c.run_max_timeout_s)
        throw std::runtime_error("response settings: run_default_timeout_s must be > 0 and <= run_max_timeout_s");
    return c;
}

}  // namespace vigil::response
