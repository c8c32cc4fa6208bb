#pragma once

namespace vigil::file_threat {
// JSON Schema (draft 4) of the plugin's settings; the host validates with it.
extern const char* const kConfigSchema;
}  // namespace vigil::file_threat
