// The plugin's settings (its YAML section as JSON) mapped into a typed
// struct. settings.schema.json (compiled in as kSettingsSchema) is the only
// statement of keys, bounds and defaults: the host validates against it and
// fills the defaults before create(); the initializers below equal the
// schema's defaults (a unit test compares them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "endpoint.hpp"
#include "exclusion.hpp"

namespace vigil::isolation {

constexpr int64_t kFiveHours = 5 * 3600;
constexpr int64_t kMaxTimeout = 30LL * 24 * 3600;

struct Settings {
    std::string table = "vigil_isolation";
    std::vector<Endpoint> central_nodes;
    std::vector<Exclusion> exclusions;
    bool allow_dhcp = false;
    bool allow_dns = false;
    int64_t default_timeout_s = kFiveHours;
    int64_t contact_loss_release_s = kFiveHours;  // 0 = never release for lost contact
    bool self_test = true;
    int64_t self_test_timeout_s = 30;
    int64_t check_interval_ms = 1000;
    std::string contact_plugin = "kataedr";
};

// Maps the validated, defaulted settings JSON; throws ValidationError naming
// the field for an endpoint or exclusion the schema cannot judge.
Settings parse_settings(std::string_view json);

// The proxy of the `agent:` section ("" or absent = none); throws on a bad URL.
std::optional<Endpoint> parse_agent_proxy(std::string_view agent_json);

extern const char* const kSettingsSchema;

}  // namespace vigil::isolation
