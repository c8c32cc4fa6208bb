#pragma once
// A plugin created through its entry point on a FakeHost, from settings as
// vigild hands them over (validated against the plugin's schema, defaults
// filled: host_settings()), with its state directory in a fresh temp dir.
// Link vigil_test_host_settings.
//
//   extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;   // the plugin's src/plugin.cpp is in the test
//   vigil::testing::PluginFixture p(kSettingsSchema, "isolation", R"({"table":"t"})", vigil_plugin_entry);
//   REQUIRE(p.created == VIGIL_OK);
//   REQUIRE(p.host.start() == VIGIL_OK);
#include <string>

#include "fake_host.hpp"
#include "host_settings.hpp"
#include "temp_dir.hpp"

namespace vigil::testing {

struct PluginFixture {
    TempDir dir;
    FakeHost host;
    vigil_status created;

    PluginFixture(const char* schema, const std::string& name, const std::string& settings_json,
                  vigil_plugin_entry_fn entry)
        : host(host_settings(schema, settings_json), name) {
        host.set_state_dir(dir.path().string());
        created = host.load(entry);
    }
};

}  // namespace vigil::testing
