// Fills in the `default` of every property a plugin's settings leave out, as
// the plugin's JSON Schema declares them, so plugins read complete settings
// and the schema is the only place a default is written.
#pragma once
#include <string>

namespace vigil::core {

// Returns settings_json with defaults added: a missing property with a
// `default` gets a copy of it; a missing object property without one gets {}
// when something below it has a default; objects (also inside arrays, through
// `items`) are filled recursively. Local "$ref": "#/definitions/..." are
// followed. Run it after validation: it never removes or changes a value the
// operator wrote. Unparsable input is returned unchanged.
std::string apply_schema_defaults(const std::string& schema_json, const std::string& settings_json);

}  // namespace vigil::core
