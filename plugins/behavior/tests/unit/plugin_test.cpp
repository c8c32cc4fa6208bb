// The plugin glue (src/plugin.cpp) on a fake host: settings as the host hands
// them over, the status timer and the status it publishes. The sensors need
// root (eBPF, the proc connector, fanotify), so these tests switch every event
// kind off: settings, the Sigma engine, status and the hash cache still run.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vigil/json_reader.hpp>

#include "settings.hpp"
#include "vigil/testing/plugin_fixture.hpp"

extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;  // src/plugin.cpp, linked into this test

using vigil::testing::host_settings;
using namespace vigil::behavior;

namespace {

// netlink sensors with no event kind: nothing needs privileges.
const std::string kQuiet = R"("sensor":"netlink","process_events":false,"network_events":false,"file_events":false)";

// The plugin from settings as vigild hands them over, its state in a temp dir.
struct Glue : vigil::testing::PluginFixture {
    explicit Glue(const std::string& json)
        : PluginFixture(kSettingsSchema, "behavior", json, vigil_plugin_entry) {}
};

}  // namespace

TEST_CASE("behavior glue: starts with the schema's defaults, reports status on its timer, stops cleanly") {
    Glue g("{" + kQuiet + R"(,"status_interval_ms":100})");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    CHECK(g.host.timers() == 1);
    const auto st = vigil::json::parse(g.host.status());
    REQUIRE(st.is_object());
    CHECK(st.find("sensor")->as_string() == "netlink");
    CHECK(st.find("sensor_setting")->as_string() == "netlink");
    CHECK(st.find("events")->is_object());
    CHECK(st.find("process_table")->is_object());
    REQUIRE(st.find("detection"));
    CHECK(st.find("detection")->is_object());  // detection is on by default, with the built-in rules
    CHECK(st.find("metrics")->is_array());
    const size_t before = g.host.status_updates();
    g.host.advance(std::chrono::milliseconds(250));
    CHECK(g.host.status_updates() >= before + 2);
    CHECK(g.host.stop() == VIGIL_OK);
    CHECK(g.host.timers() == 0);
    CHECK(std::filesystem::exists(g.dir.path() / "exe_hashes"));  // the hash cache is kept across restarts
    CHECK(g.host.published(VIGIL_TYPE_THREAT).empty());
}

TEST_CASE("behavior glue: detection off leaves no detection status") {
    Glue g("{" + kQuiet + R"(,"detection":false})");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    CHECK(vigil::json::parse(g.host.status()).find("detection")->is_null());
    CHECK(g.host.stop() == VIGIL_OK);
}

TEST_CASE("behavior glue: bad settings are refused with the key and the reason") {
    // Bounds are the schema's: the host refuses before the plugin exists (more in settings_test.cpp).
    CHECK_THROWS_WITH_AS(host_settings(kSettingsSchema, R"({"hash_workers":0})"),
                         doctest::Contains("hash_workers: 0 is below the minimum 1"),
                         vigil::testing::HostSettingsError);
    // What the schema cannot say (a power of two): create() fails naming it.
    Glue g(R"({"ring_buffer_kib":1000})");
    CHECK(g.created == VIGIL_EFAILED);
    CHECK(g.host.last_error().find("ring_buffer_kib") != std::string::npos);
    CHECK(g.host.last_error().find("power of two") != std::string::npos);
}
