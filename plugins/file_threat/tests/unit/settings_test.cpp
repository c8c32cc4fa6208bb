#include <doctest/doctest.h>

#include "config_schema.hpp"
#include "on_demand_scan.hpp"
#include "settings.hpp"
#include "vigil/testing/host_settings.hpp"

#include <rapidjson/document.h>

using namespace vigil::file_threat;
using vigil::testing::host_settings;

namespace {

// The settings as vigild hands them to the plugin: validated, defaults filled.
Settings host_parse(const char* json) { return parse_settings(host_settings(kConfigSchema, json)); }

}  // namespace

TEST_CASE("file_threat settings: defaults and overrides") {
    auto s = host_parse("{}");
    CHECK(s.eicar);
    CHECK(s.scan_timeout_ms == 5000);
    CHECK(s.on_access.scan_on_exec);
    CHECK_FALSE(s.on_access.scan_on_open);
    CHECK(s.on_access.actions.first == Action::Quarantine);
    CHECK(s.on_access.actions.second == Action::Block);
    s = host_parse(R"({"max_file_size_mb":2,"on_access":{"mounts":["/m"],"first_action":"delete",
        "second_action":"notify","test_scan_delay_ms":5},"on_demand":{"first_action":"notify"}})");
    CHECK(s.max_file_size == 2u << 20);
    CHECK(s.on_access.mounts == std::vector<std::string>{"/m"});
    CHECK(s.on_access.actions.first == Action::Delete);
    CHECK(s.on_access.test_scan_delay_ms == 5);
    CHECK(s.on_demand.actions.first == Action::Notify);
}

TEST_CASE("file_threat settings: bad values name the key") {
    // Types, enums and bounds are the schema's: the host refuses, naming the key.
    CHECK_THROWS_WITH_AS(host_parse(R"({"on_access":{"first_action":"burn"}})"),
                         doctest::Contains("on_access.first_action: \"burn\" is not one of"),
                         vigil::testing::HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"yara_rules":"x"})"), doctest::Contains("yara_rules: expected"),
                         vigil::testing::HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"on_access":{"workers":0}})"),
                         doctest::Contains("on_access.workers: 0 is below the minimum 1"),
                         vigil::testing::HostSettingsError);
    // Without a host the plugin still refuses an unknown action or a wrong type, naming the key.
    CHECK_THROWS_WITH_AS(parse_settings(R"({"on_access":{"first_action":"burn"}})"),
                         "setting 'on_access.first_action': unknown action 'burn' (expected block, quarantine, delete or notify)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"on_access":{"fail_mode":{"exec":"maybe"}}})"),
                         doctest::Contains("on_access.fail_mode.exec"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"eicar":"yes"})"), doctest::Contains("\"eicar\""), std::invalid_argument);
    CHECK_THROWS_AS(parse_settings("{"), std::invalid_argument);
}

TEST_CASE("file_threat settings: the schema's defaults are the code's defaults") {
    const Settings code;  // the initializers, incl. the x-default interpreters and trusted paths
    const Settings schema = host_parse("{}");
    CHECK(schema.on_access == code.on_access);
    CHECK(schema.on_demand == code.on_demand);
    CHECK(schema == code);
    CHECK(parse_settings("{}") == code);  // an absent key keeps the initializer
    // The computed defaults are left to the code: the host does not fill them.
    rapidjson::Document filled;
    filled.Parse(host_settings(kConfigSchema, "{}").c_str());
    REQUIRE(filled.HasMember("on_access"));
    CHECK_FALSE(filled["on_access"].HasMember("interpreters"));
    CHECK_FALSE(filled["on_access"].HasMember("trusted_paths"));
    CHECK(filled["on_access"]["fail_mode"]["exec"] == "deny_untrusted");
}

TEST_CASE("file_threat scan command arguments") {
    ActionPair def{Action::Quarantine, Action::Notify};
    auto r = parse_scan_request(R"({"args":["/a","/b"]})", def);
    CHECK(r.paths == std::vector<std::string>{"/a", "/b"});
    CHECK(r.recursive);
    CHECK(r.actions.first == Action::Quarantine);
    r = parse_scan_request(R"({"paths":"/a","recursive":false,"actions":["delete","block"],"async":true})", def);
    CHECK(r.paths == std::vector<std::string>{"/a"});
    CHECK_FALSE(r.recursive);
    CHECK(r.actions.first == Action::Delete);
    CHECK(r.actions.second == Action::Block);
    CHECK(r.async);
    r = parse_scan_request(R"({"path":"/a","actions":"notify"})", def);
    CHECK(r.actions.first == Action::Notify);
    CHECK_THROWS_WITH_AS(parse_scan_request("{}", def), "no path to scan (give \"paths\": [...] or positional paths)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_scan_request(R"({"args":["rel"]})", def), "path 'rel' is not absolute",
                         std::invalid_argument);
    CHECK_THROWS_AS(parse_scan_request(R"({"args":["/a"],"actions":"zap"})", def), std::invalid_argument);
}
