#include "settings.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace vigil::behavior;

TEST_CASE("settings have defaults") {
    auto s = parse_settings("{}");
    CHECK(s.sensor == "auto");
    CHECK(s.mode == "notify");
    CHECK(s.file_watch_paths == std::vector<std::string>{"/"});
}

TEST_CASE("settings are parsed and bad values are named") {
    auto s = parse_settings(R"({"sensor":"netlink","mode":"block","file_watch_paths":["/tmp/x"],"ring_buffer_kib":1024})");
    CHECK(s.sensor == "netlink");
    CHECK(s.mode == "block");
    CHECK(s.file_watch_paths == std::vector<std::string>{"/tmp/x"});
    CHECK(s.ring_buffer_kib == 1024);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"sensor":"kprobe"})"),
                         doctest::Contains("behavior.sensor"), std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"file_watch_paths":["rel"]})"),
                         doctest::Contains("file_watch_paths"), std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"ring_buffer_kib":1000})"),
                         doctest::Contains("power of two"), std::runtime_error);
    CHECK_THROWS_AS(parse_settings("{nope"), std::runtime_error);
}

TEST_CASE("agent state dir is read from the agent section") {
    CHECK(agent_state_dir(R"({"state_dir":"/var/lib/vigil","log_level":"info"})") == "/var/lib/vigil");
    CHECK(agent_state_dir("{}").empty());
    CHECK(agent_state_dir("not json").empty());
}
