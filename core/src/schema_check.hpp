// Validates a plugin's settings against the JSON Schema (draft 4) it publishes,
// turning RapidJSON's terse result into a reason a person can act on.
#pragma once
#include <map>
#include <optional>
#include <string>

namespace vigil::core {

struct SchemaViolation {
    std::string pointer;  // JSON pointer of the offending value within the settings
    std::string reason;
};

// Returns an error message when the schema itself is not valid JSON.
std::optional<std::string> check_schema_text(const std::string& schema_json);

// Returns nullopt when `settings_json` satisfies `schema_json`.
std::optional<SchemaViolation> validate_against_schema(const std::string& schema_json,
                                                       const std::string& settings_json);

// "/servers/0" -> "servers[0]"
std::string pointer_to_key(const std::string& pointer);

}  // namespace vigil::core
