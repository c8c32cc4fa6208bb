#include <doctest/doctest.h>

#include "config_schema.hpp"
#include "on_demand_scan.hpp"
#include "settings.hpp"
#include "vigil/testing/host_settings.hpp"

#include <rapidjson/document.h>

using namespace file_threat;
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
    CHECK(schema.yara_rules == code.yara_rules);
    CHECK(schema.hash_lists == code.hash_lists);
    CHECK(schema.eicar == code.eicar);
    CHECK(schema.exclusions == code.exclusions);
    CHECK(schema.max_file_size == code.max_file_size);
    CHECK(schema.scan_timeout_ms == code.scan_timeout_ms);
    CHECK(schema.status_interval_ms == code.status_interval_ms);
    const auto &a = schema.on_access, &b = code.on_access;
    CHECK(a.enabled == b.enabled);
    CHECK(a.mounts == b.mounts);
    CHECK(a.filesystems == b.filesystems);
    CHECK(a.local_filesystems == b.local_filesystems);
    CHECK(a.scan_interpreters == b.scan_interpreters);
    CHECK(a.interpreters == b.interpreters);
    CHECK(a.fail.exec == b.fail.exec);
    CHECK(a.fail.open == b.fail.open);
    CHECK(a.fail.script == b.fail.script);
    CHECK(a.fail.trusted_paths == b.fail.trusted_paths);
    CHECK(a.scan_on_open == b.scan_on_open);
    CHECK(a.scan_on_exec == b.scan_on_exec);
    CHECK(a.scan_after_write == b.scan_after_write);
    CHECK(a.workers == b.workers);
    CHECK(a.queue_size == b.queue_size);
    CHECK(a.cache_size == b.cache_size);
    CHECK(a.kernel_cache == b.kernel_cache);
    CHECK(a.actions.first == b.actions.first);
    CHECK(a.actions.second == b.actions.second);
    CHECK(a.test_scan_delay_ms == b.test_scan_delay_ms);
    CHECK(schema.on_demand.actions.first == code.on_demand.actions.first);
    CHECK(schema.on_demand.actions.second == code.on_demand.actions.second);
    CHECK(schema.on_demand.max_concurrent_scans == code.on_demand.max_concurrent_scans);
    CHECK(schema.execution_prevention == code.execution_prevention);
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
