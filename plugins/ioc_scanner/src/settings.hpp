// The plugin's settings (its YAML section as JSON) mapped into a typed
// struct. settings.schema.json (compiled in as kConfigSchema) is the only
// statement of keys, bounds and defaults: the host validates against it and
// fills the defaults before create(); the initializers here and in
// EngineSettings equal the schema's defaults (a unit test compares them).
#pragma once

#include <string>

#include "scan_engine.hpp"

namespace vigil::ioc_scanner {

extern const char* const kConfigSchema;

struct PluginSettings {
    EngineSettings engine;
    bool scan_other_mount_namespaces = false;  // default for scans that do not say
    unsigned isolation_timeout_s = 30;
    unsigned keep_results = 10;
    // Arguments of the isolation.on command sent by the isolate action. The
    // isolation plugin refuses unknown fields, so nothing is added to them.
    std::string isolation_args = "{}";
    bool operator==(const PluginSettings&) const = default;
};

// The number of scan workers when the settings do not say ("x-default" in
// the schema): the number of CPUs, at most 4.
unsigned default_workers();

// Maps the validated, defaulted settings; an absent key keeps its default.
// Throws std::invalid_argument naming the setting.
PluginSettings parse_settings(const std::string& json);

}  // namespace vigil::ioc_scanner
