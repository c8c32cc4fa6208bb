// The plugin glue (src/plugin.cpp) on a fake host: settings as the host hands
// them over, the scan/cancel/status commands, the threat it publishes and
// the status JSON.
#include <doctest/doctest.h>

#include <string>
#include <vigil/json_reader.hpp>
#include <vigil/json_writer.hpp>

#include "settings.hpp"
#include "vigil/testing/fake_host.hpp"
#include "vigil/testing/host_settings.hpp"
#include "vigil/testing/temp_dir.hpp"

extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;  // src/plugin.cpp, linked into this test

using vigil::testing::FakeHost;
using vigil::testing::host_settings;

namespace {

std::string name_ioc(const std::string& file_name) {
    return "<OpenIOC xmlns=\"http://openioc.org/schemas/OpenIOC_1.1\" id=\"glue-ioc\"><metadata>"
           "<short_description>glue</short_description><authored_date>2024-01-01T00:00:00Z</authored_date>"
           "</metadata><criteria><Indicator operator=\"OR\" id=\"i\"><IndicatorItem id=\"n\" condition=\"is\">"
           "<Context document=\"FileItem\" search=\"FileItem/FileName\" type=\"mir\"/>"
           "<Content type=\"string\">" +
           file_name + "</Content></IndicatorItem></Indicator></criteria></OpenIOC>";
}

}  // namespace

TEST_CASE("ioc_scanner glue: starts with the schema's defaults and publishes its status") {
    FakeHost host(host_settings(vigil::ioc_scanner::kConfigSchema, "{}"), "ioc_scanner");
    REQUIRE(host.load(vigil_plugin_entry) == VIGIL_OK);
    REQUIRE(host.start() == VIGIL_OK);
    const auto st = vigil::json::parse(host.status());
    CHECK_FALSE(st.find("running")->as_bool());
    CHECK(st.find("scan_id")->as_uint64() == 0);
    CHECK(st.find("stored_results")->is_array());
    CHECK(host.stop() == VIGIL_OK);
}

TEST_CASE("ioc_scanner glue: bad settings are refused with the key and the reason") {
    CHECK_THROWS_WITH_AS(host_settings(vigil::ioc_scanner::kConfigSchema, R"({"keep_results":0})"),
                         doctest::Contains("keep_results: 0 is below the minimum 1"), vigil::testing::HostSettingsError);
    // A host that did not validate still gets a refusal naming the key from create().
    FakeHost host(R"({"nice":"low"})", "ioc_scanner");
    CHECK(host.load(vigil_plugin_entry) == VIGIL_EFAILED);
    CHECK(host.last_error().find("\"nice\"") != std::string::npos);
}

TEST_CASE("ioc_scanner glue: a scan round trip, its threat, stored result and status shape") {
    vigil::testing::TempDir dir;
    dir.write("tree/evil.txt", "x");
    dir.write("tree/fine.txt", "y");
    FakeHost host(host_settings(vigil::ioc_scanner::kConfigSchema, R"({"keep_results":2,"nice":0})"), "ioc_scanner");
    REQUIRE(host.load(vigil_plugin_entry) == VIGIL_OK);
    REQUIRE(host.start() == VIGIL_OK);

    const std::string args = "{\"ioc_xml\":[\"" + vigil::json_escape(name_ioc("evil.txt")) + "\"],\"paths\":[\"" +
                             vigil::json_escape((dir.path() / "tree").string()) + "\"]}";
    auto r = host.command("ioc_scanner.scan", args, "vigilctl");
    REQUIRE(r.answered);
    REQUIRE(r.status == VIGIL_OK);
    const auto report = vigil::json::parse(r.result_json);
    CHECK(report.find("scan_id")->as_uint64() == 1);
    const auto threats = host.published(VIGIL_TYPE_THREAT);
    REQUIRE(threats.size() == 1);
    const auto t = threats[0].as<vigil_threat_event>();
    CHECK(t.str(t->rule_id) == "glue-ioc");
    CHECK(t.str(t->object).find("evil.txt") != std::string::npos);
    CHECK(host.counter("scans") == 1);

    // The stored result comes back by id; an unknown id is refused.
    r = host.command("ioc_scanner.status", R"({"scan_id":1})");
    CHECK(r.status == VIGIL_OK);
    CHECK(vigil::json::parse(r.result_json).find("scan_id")->as_uint64() == 1);
    r = host.command("ioc_scanner.status", R"({"scan_id":7})");
    CHECK(r.status == VIGIL_ENOTFOUND);
    CHECK(r.error.find("scan 7") != std::string::npos);

    // Status JSON shape: {"running":false,"scan_id":1,"progress":{...},"stored_results":[1]}.
    r = host.command("ioc_scanner.status");
    REQUIRE(r.status == VIGIL_OK);
    const auto st = vigil::json::parse(r.result_json);
    CHECK_FALSE(st.find("running")->as_bool());
    CHECK(st.find("scan_id")->as_uint64() == 1);
    REQUIRE(st.find("progress"));
    CHECK(st.find("progress")->is_object());
    REQUIRE(st.find("stored_results")->items().size() == 1);
    CHECK(st.find("stored_results")->items()[0].as_uint64() == 1);
    CHECK(host.status() == r.result_json);

    // Nothing to cancel; a malformed scan is refused naming the problem.
    r = host.command("ioc_scanner.cancel");
    CHECK(r.status == VIGIL_OK);
    CHECK_FALSE(vigil::json::parse(r.result_json).find("canceled")->as_bool());
    r = host.command("ioc_scanner.scan", R"({"paths":["/tmp"]})");
    CHECK(r.status == VIGIL_EINVAL);
    CHECK(r.error.find("no IOC given") != std::string::npos);
    CHECK(host.stop() == VIGIL_OK);
}
