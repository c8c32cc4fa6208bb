// The plugin glue (src/plugin.cpp) on a fake host: settings as the host hands
// them over, commands, the check timer and the status it publishes. The
// plugin reads the kernel's nftables, so the test process moves into a
// network namespace of its own first (skipped without root).
#include <doctest/doctest.h>

#include <string>
#include <vigil/json_reader.hpp>

#include "settings.hpp"
#include "vigil/testing/plugin_fixture.hpp"
#include "vigil/testing/private_netns.hpp"

extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;  // src/plugin.cpp, linked into this test

using vigil::testing::host_settings;

namespace {

// The plugin from settings as vigild hands them over, its state in a temp dir.
struct Glue : vigil::testing::PluginFixture {
    explicit Glue(const std::string& json)
        : PluginFixture(vigil::isolation::kSettingsSchema, "isolation", json, vigil_plugin_entry) {}
};

}  // namespace

TEST_CASE("isolation glue: starts with the schema's defaults, checks on a timer, stops cleanly") {
    if (!vigil::testing::enter_private_netns()) {
        MESSAGE("skipped: needs root for a private network namespace");
        return;
    }
    Glue g(R"({"table":"vigil_iso_glue"})");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    g.host.run_posted();  // the reconcile posted by start()
    CHECK(g.host.timers() == 1);
    const auto status = vigil::json::parse(g.host.status());
    CHECK_FALSE(status.find("isolated")->as_bool());
    CHECK(status.find("table")->as_string() == "vigil_iso_glue");
    g.host.advance(std::chrono::milliseconds(3000));  // ticks at the default check_interval_ms
    CHECK(g.host.status_updates() >= 1);
    CHECK(g.host.stop() == VIGIL_OK);
    CHECK(g.host.timers() == 0);
    CHECK(g.host.published(VIGIL_TYPE_ACTION_RESULT).empty());
}

TEST_CASE("isolation glue: bad settings are refused with the key and the reason") {
    // Bounds are the schema's: the host refuses before the plugin exists.
    CHECK_THROWS_WITH_AS(host_settings(vigil::isolation::kSettingsSchema, R"({"check_interval_ms":5})"),
                         doctest::Contains("check_interval_ms: 5 is below the minimum 100"),
                         vigil::testing::HostSettingsError);
    // An exclusion the schema lets through but the plugin cannot enforce: create() fails.
    Glue g(R"({"exclusions":[{"direction":"both","protocol":6,"remote_ports":80}]})");
    CHECK(g.created == VIGIL_EFAILED);
    CHECK(g.host.last_error().find("exclusions[0]") != std::string::npos);
    CHECK(g.host.last_error().find("needs direction inbound or outbound") != std::string::npos);
}

TEST_CASE("isolation glue: command round trips and the status JSON shape") {
    if (!vigil::testing::enter_private_netns()) {
        MESSAGE("skipped: needs root for a private network namespace");
        return;
    }
    Glue g(R"({"table":"vigil_iso_glue2","allow_dns":true})");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    g.host.run_posted();

    auto r = g.host.command("isolation.status");
    REQUIRE(r.answered);
    CHECK(r.status == VIGIL_OK);
    const auto st = vigil::json::parse(r.result_json);
    REQUIRE(st.is_object());
    CHECK(st.find("isolated")->is_bool());
    CHECK(st.find("table")->as_string() == "vigil_iso_glue2");
    CHECK(st.find("last_change")->is_null());
    CHECK(st.find("allow_dns")->as_bool());
    CHECK_FALSE(st.find("allow_dhcp")->as_bool());
    REQUIRE(st.find("metrics"));
    CHECK(st.find("metrics")->is_array());
    CHECK(r.result_json == g.host.status());

    // A refused command: nothing applied, the reason names the field.
    r = g.host.command("isolation.on", R"({"timeout_s":-5})");
    REQUIRE(r.answered);
    CHECK(r.status == VIGIL_EINVAL);
    CHECK(r.error.find("timeout_s") != std::string::npos);
    CHECK(g.host.published(VIGIL_TYPE_ACTION_RESULT).empty());

    // Releasing a host that is not isolated is a no-op that still answers.
    r = g.host.command("isolation.off", R"({"reason":"test"})", "vigilctl");
    CHECK(r.status == VIGIL_OK);
    CHECK_FALSE(vigil::json::parse(r.result_json).find("isolated")->as_bool());
    CHECK(g.host.command("isolation.nope").status == VIGIL_ENOTFOUND);
    g.host.stop();
}
