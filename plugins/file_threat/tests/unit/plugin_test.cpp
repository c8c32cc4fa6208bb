// The plugin glue (src/plugin.cpp) on a fake host: settings as the host hands
// them over, an on-demand scan round trip with its threat, the prevention
// list commands, the status timer and the status JSON. On-access scanning is
// off here (fanotify marks would watch the whole test machine); the monitor
// has its own tests.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vigil/json_reader.hpp>
#include <vigil/json_writer.hpp>

#include "config_schema.hpp"
#include "eicar.hpp"
#include "vigil/testing/plugin_fixture.hpp"

extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;  // src/plugin.cpp, linked into this test

using vigil::testing::host_settings;

namespace {

// The plugin from settings as vigild hands them over, its state in a temp dir.
struct Glue : vigil::testing::PluginFixture {
    explicit Glue(const std::string& json) : PluginFixture(vigil::file_threat::kConfigSchema, "file_threat", json, vigil_plugin_entry) {}
};

}  // namespace

TEST_CASE("file_threat glue: starts with the schema's defaults (on-access off), status timer and JSON shape") {
    Glue g(R"({"on_access":{"enabled":false}})");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    CHECK(g.host.timers() == 1);
    const size_t before = g.host.status_updates();
    g.host.advance(std::chrono::milliseconds(4100));  // status_interval_ms 2000 by default
    CHECK(g.host.status_updates() >= before + 2);
    const auto st = vigil::json::parse(g.host.status());
    REQUIRE(st.is_object());
    CHECK(st.find("engines")->find("eicar")->as_bool());
    CHECK(st.find("cache")->is_object());
    CHECK(st.find("prevention")->find("enabled")->as_bool());
    CHECK_FALSE(st.find("on_access")->find("running")->as_bool());
    CHECK(g.host.stop() == VIGIL_OK);
    CHECK(g.host.timers() == 0);
}

TEST_CASE("file_threat glue: bad settings are refused with the key and the reason") {
    CHECK_THROWS_WITH_AS(host_settings(vigil::file_threat::kConfigSchema, R"({"scan_timeout_ms":1})"),
                         doctest::Contains("scan_timeout_ms: 1 is below the minimum 10"),
                         vigil::testing::HostSettingsError);
    // A rule file that does not exist passes the schema; create() refuses, naming it.
    Glue g(R"({"on_access":{"enabled":false},"yara_rules":["/nonexistent/vigil-glue.yar"]})");
    CHECK(g.created == VIGIL_EFAILED);
    CHECK(g.host.last_error().find("/nonexistent/vigil-glue.yar") != std::string::npos);
}

TEST_CASE("file_threat glue: on-demand scan and prevention-list round trips") {
    Glue g(R"({"on_access":{"enabled":false}})");
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    vigil::testing::TempDir files;  // not below the state dir: the plugin never scans its own files
    files.write("scan/eicar.com", vigil::file_threat::eicar_string());
    files.write("scan/clean.txt", "nothing to see");
    const std::string args =
        "{\"paths\":[\"" + vigil::json_escape((files.path() / "scan").string()) + "\"],\"actions\":\"notify\"}";
    auto r = g.host.command("file_threat.scan", args, "vigilctl");
    REQUIRE(r.answered);
    REQUIRE(r.status == VIGIL_OK);
    const auto res = vigil::json::parse(r.result_json);
    INFO(r.result_json);
    CHECK(res.find("infected")->as_uint64() == 1);
    CHECK(res.find("scanned")->as_uint64() == 2);
    const auto threats = g.host.published(VIGIL_TYPE_THREAT);
    REQUIRE(threats.size() == 1);
    const auto t = threats[0].as<vigil_threat_event>();
    CHECK(t.str(t->object).find("eicar.com") != std::string::npos);
    CHECK(std::filesystem::exists(files.path() / "scan/eicar.com"));  // notify only

    r = g.host.command("file_threat.scan", R"({"args":["relative"]})");
    CHECK(r.status == VIGIL_EINVAL);
    CHECK(r.error.find("not absolute") != std::string::npos);

    const std::string sha(64, 'a');
    r = g.host.command("file_threat.set_prevention_list", "{\"sha256\":[\"" + sha + "\"]}");
    REQUIRE(r.status == VIGIL_OK);
    r = g.host.command("file_threat.get_prevention_list");
    REQUIRE(r.status == VIGIL_OK);
    CHECK(r.result_json.find(sha) != std::string::npos);
    CHECK(g.host.stop() == VIGIL_OK);
}
