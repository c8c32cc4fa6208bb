// The host's own schema code (core/src/schema_check.*, schema_defaults.*),
// so a plugin test cannot pass settings the real host would refuse.
#include "vigil/testing/host_settings.hpp"

#include "schema_check.hpp"
#include "schema_defaults.hpp"

namespace vigil::testing {

std::string host_settings(std::string_view schema_json, std::string_view settings_json) {
    const std::string schema(schema_json);
    const std::string settings = settings_json.empty() ? std::string("{}") : std::string(settings_json);
    if (auto bad = core::check_schema_text(schema)) throw HostSettingsError(*bad);
    if (auto v = core::validate_against_schema(schema, settings)) {
        const std::string key = core::pointer_to_key(v->pointer);
        throw HostSettingsError((key.empty() ? std::string("settings") : key) + ": " + v->reason);
    }
    return core::apply_schema_defaults(schema, settings);
}

}  // namespace vigil::testing
