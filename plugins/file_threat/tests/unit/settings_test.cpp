#include <doctest/doctest.h>

#include "settings.hpp"
#include "on_demand_scan.hpp"

using namespace file_threat;

TEST_CASE("file_threat settings: defaults and overrides") {
    auto s = parse_settings("{}");
    CHECK(s.eicar);
    CHECK(s.scan_timeout_ms == 5000);
    CHECK(s.on_access.scan_on_exec);
    CHECK_FALSE(s.on_access.scan_on_open);
    CHECK(s.on_access.actions.first == Action::Quarantine);
    CHECK(s.on_access.actions.second == Action::Block);
    s = parse_settings(R"({"max_file_size_mb":2,"on_access":{"mounts":["/m"],"first_action":"delete",
        "second_action":"notify","test_scan_delay_ms":5},"on_demand":{"first_action":"notify"}})");
    CHECK(s.max_file_size == 2u << 20);
    CHECK(s.on_access.mounts == std::vector<std::string>{"/m"});
    CHECK(s.on_access.actions.first == Action::Delete);
    CHECK(s.on_access.test_scan_delay_ms == 5);
    CHECK(s.on_demand.actions.first == Action::Notify);
}

TEST_CASE("file_threat settings: bad values name the key") {
    CHECK_THROWS_WITH_AS(parse_settings(R"({"on_access":{"first_action":"burn"}})"),
                         "setting 'on_access.first_action': unknown action 'burn' (expected block, quarantine, delete or notify)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"yara_rules":"x"})"), "setting 'yara_rules': must be a list of paths",
                         std::invalid_argument);
    CHECK_THROWS_AS(parse_settings("{"), std::invalid_argument);
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
