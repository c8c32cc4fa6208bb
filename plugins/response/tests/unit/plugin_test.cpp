// The plugin glue (src/plugin.cpp) on a fake host: settings as the host hands
// them over, a command on a worker with exactly one reply and one action
// result, the busy refusal, the staging-cleanup timer and the status JSON.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vigil/json_reader.hpp>

#include "settings.hpp"
#include "vigil/testing/plugin_fixture.hpp"

extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;  // src/plugin.cpp, linked into this test

using vigil::testing::host_settings;

namespace {

// The plugin from settings as vigild hands them over, its state in a temp dir.
struct Glue : vigil::testing::PluginFixture {
    explicit Glue(const std::string& json) : PluginFixture(vigil::response::kConfigSchema, "response", json, vigil_plugin_entry) {}
};

}  // namespace

TEST_CASE("response glue: starts with the schema's defaults, status shape, cleanup timer") {
    Glue g("{}");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    CHECK(g.host.timers() == 1);  // the staging cleanup
    const auto st = vigil::json::parse(g.host.status());
    REQUIRE(st.is_object());
    CHECK(st.find("running_actions")->as_uint64() == 0);
    CHECK(st.find("completed")->as_uint64() == 0);
    CHECK(st.find("failed")->as_uint64() == 0);
    CHECK(st.find("staging_dir")->as_string() == (g.dir.path() / "staging").string());
    CHECK(g.host.stop() == VIGIL_OK);
    CHECK(g.host.timers() == 0);
}

TEST_CASE("response glue: bad settings are refused with the key and the reason") {
    CHECK_THROWS_WITH_AS(host_settings(vigil::response::kConfigSchema, R"({"max_concurrent_actions":0})"),
                         doctest::Contains("max_concurrent_actions: 0 is below the minimum 1"),
                         vigil::testing::HostSettingsError);
    // A rule between two keys is the plugin's: create() refuses, naming them.
    Glue g(R"({"run_default_timeout_s":100,"run_max_timeout_s":10})");
    CHECK(g.created == VIGIL_EFAILED);
    CHECK(g.host.last_error().find("run_default_timeout_s") != std::string::npos);
    CHECK(g.host.last_error().find("run_max_timeout_s") != std::string::npos);
}

TEST_CASE("response glue: run_process round trip, one action result, busy refusal") {
    Glue g(R"({"max_concurrent_actions":1})");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);

    auto r = g.host.command("response.run_process", R"({"executable":"/bin/echo","args":["glue"]})", "vigilctl");
    REQUIRE(r.answered);
    REQUIRE(r.status == VIGIL_OK);
    const auto res = vigil::json::parse(r.result_json);
    CHECK(res.find("stdout")->as_string() == "glue\n");
    CHECK(res.find("exit_code")->as_int64() == 0);
    auto events = g.host.published(VIGIL_TYPE_ACTION_RESULT);
    REQUIRE(events.size() == 1);
    auto ev = events[0].as<vigil_action_result>();
    CHECK(ev->status == VIGIL_OK);
    CHECK(ev.str(ev->action) == "run_process");
    CHECK(ev.str(ev->origin) == "vigilctl");

    // Bad arguments: refused at once on the executor, naming the field (and reported as an event).
    r = g.host.command("response.get_file", R"({"path":"relative"})");
    REQUIRE(r.answered);
    CHECK(r.status == VIGIL_EINVAL);
    CHECK(r.error.find("path") != std::string::npos);
    CHECK(g.host.published(VIGIL_TYPE_ACTION_RESULT).size() == 2);

    // With max_concurrent_actions 1, a second action while one runs is refused as busy.
    r = g.host.command("response.run_process", R"({"executable":"/bin/sleep","args":["1"]})", "test",
                       std::chrono::milliseconds(0));
    CHECK_FALSE(r.answered);  // still running on its worker
    r = g.host.command("response.run_process", R"({"executable":"/bin/true"})");
    REQUIRE(r.answered);
    CHECK(r.status == VIGIL_EFAILED);
    CHECK(r.error.find("busy") == 0);
    // The sleep replies exactly once, then the status counts everything.
    for (int i = 0; i < 1000 && vigil::json::parse(g.host.status()).find("completed")->as_uint64() < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto st = vigil::json::parse(g.host.status());
    CHECK(st.find("completed")->as_uint64() == 2);
    CHECK(st.find("failed")->as_uint64() == 2);
    CHECK(st.find("running_actions")->as_uint64() == 0);
    CHECK(g.host.published(VIGIL_TYPE_ACTION_RESULT).size() == 4);
    CHECK(g.host.late_replies() == 0);
    CHECK(g.host.stop() == VIGIL_OK);
}
