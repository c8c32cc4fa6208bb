// The plugin's settings: JSON Schema (validated by the host) and parsing into
// EngineSettings.
#pragma once

#include <string>

#include "scan_engine.hpp"

namespace ioc {

extern const char* const kConfigSchema;

struct PluginSettings {
    EngineSettings engine;
    bool scan_other_mount_namespaces = false;  // default for scans that do not say
    unsigned isolation_timeout_s = 30;
    unsigned keep_results = 10;
    // Arguments of the isolation.on command sent by the isolate action. The
    // isolation plugin refuses unknown fields, so nothing is added to them.
    std::string isolation_args = "{}";
};

// Throws std::invalid_argument naming the setting.
PluginSettings parse_settings(const std::string& json);

}  // namespace ioc
