#pragma once
// What vigild does to a plugin's settings section before create() and
// reconfigure(): validate it against the plugin's JSON Schema, then fill in
// every `default` the schema declares. Plugin tests run their settings
// through it so they see exactly what the plugin gets from the real host:
//
//   auto s = parse_settings(vigil::testing::host_settings(kSettingsSchema, "{}"));
//   vigil::testing::FakeHost host(vigil::testing::host_settings(kSettingsSchema, json));
//
// A refusal throws HostSettingsError "<key>: <reason>", the key and reason
// vigild reports for the plugin's section of vigil.yaml.
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::testing {

class HostSettingsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string host_settings(std::string_view schema_json, std::string_view settings_json);

}  // namespace vigil::testing
