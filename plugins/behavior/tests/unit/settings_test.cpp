#include "settings.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

#include "vigil/testing/host_settings.hpp"

using namespace vigil::behavior;
using vigil::testing::host_settings;
using vigil::testing::HostSettingsError;

namespace {

// What the plugin gets from vigild: validated against the schema, defaults filled.
Settings host_parse(const std::string& json) { return parse_settings(host_settings(kSettingsSchema, json)); }

}  // namespace

TEST_CASE("settings have defaults") {
    auto s = host_parse("{}");
    CHECK(s.sensor == "auto");
    CHECK(s.mode == "notify");
    CHECK(s.file_watch_paths == std::vector<std::string>{"/"});
    CHECK(parse_settings("{}").file_watch_paths == s.file_watch_paths);  // without a host: the initializers
}

TEST_CASE("settings: the schema's defaults are the code's defaults") {
    Settings schema = host_parse("{}");
    Settings code;
    code.raw_json = schema.raw_json;  // the section as the host handed it over
    CHECK(schema == code);
}

TEST_CASE("settings are parsed and bad values are named") {
    auto s = host_parse(R"({"sensor":"netlink","mode":"block","file_watch_paths":["/tmp/x"],"ring_buffer_kib":1024})");
    CHECK(s.sensor == "netlink");
    CHECK(s.mode == "block");
    CHECK(s.file_watch_paths == std::vector<std::string>{"/tmp/x"});
    CHECK(s.ring_buffer_kib == 1024);
    // Keys, enums, bounds and absolute paths are the schema's: the host refuses, naming the key.
    CHECK_THROWS_WITH_AS(host_parse(R"({"sensor":"kprobe"})"), doctest::Contains("sensor"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"file_watch_paths":["rel"]})"), doctest::Contains("file_watch_paths"),
                         HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"hash_workers":0})"), doctest::Contains("hash_workers"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"bogus":1})"), doctest::Contains("bogus"), HostSettingsError);
    // What a schema cannot say stays the plugin's.
    CHECK_THROWS_WITH_AS(host_parse(R"({"ring_buffer_kib":1000})"), doctest::Contains("power of two"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(host_parse(R"({"ring_buffer_kib":128})"), doctest::Contains("at least 256"),
                         std::runtime_error);
    CHECK_THROWS_AS(parse_settings("{nope"), std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"hash_workers":"two"})"), doctest::Contains("hash_workers"),
                         std::runtime_error);
}

TEST_CASE("settings: every key maps into its field") {
    Settings s = host_parse(R"({"sensor":"ebpf","mode":"block","process_events":false,"network_events":false,
        "file_events":false,"file_watch_paths":"/srv","file_exclude_paths":["/srv/cache"],
        "sock_diag_interval_ms":60,"ring_buffer_kib":512,"hash_executables":false,"hash_max_bytes":7,
        "hash_cache_entries":17,"hash_wait_ms":3,"hash_timeout_ms":101,"hash_workers":4,
        "process_table_max":2048,"exited_process_retention":20,"status_interval_ms":150,"detection":false,
        "builtin_rules":false,"rules_dirs":["/etc/r"],
        "trusted_programs":["/usr/bin/a",{"path":"/opt/*","descendants":true}]})");
    Settings want;
    want.sensor = "ebpf";
    want.mode = "block";
    want.process_events = want.network_events = want.file_events = false;
    want.file_watch_paths = {"/srv"};
    want.file_exclude_paths = {"/srv/cache"};
    want.sock_diag_interval_ms = 60;
    want.ring_buffer_kib = 512;
    want.hash_executables = false;
    want.hash_max_bytes = 7;
    want.hash_cache_entries = 17;
    want.hash_wait_ms = 3;
    want.hash_timeout_ms = 101;
    want.hash_workers = 4;
    want.process_table_max = 2048;
    want.exited_process_retention = 20;
    want.status_interval_ms = 150;
    want.detection = want.builtin_rules = false;
    want.rules_dirs = {"/etc/r"};
    want.trusted_programs = {{"/usr/bin/a", false}, {"/opt/*", true}};
    want.raw_json = s.raw_json;
    CHECK(s == want);
}

TEST_CASE("settings: ring_buffer_kib 0 sizes the ring buffer by CPU count, within bounds") {
    CHECK(host_parse("{}").ring_buffer_kib == 0);
    CHECK(ring_buffer_kib_in_use(0, 1) == 4096);
    CHECK(ring_buffer_kib_in_use(0, 2) == 4096);
    CHECK(ring_buffer_kib_in_use(0, 3) == 8192);
    CHECK(ring_buffer_kib_in_use(0, 8) == 16384);
    CHECK(ring_buffer_kib_in_use(0, 256) == 65536);
    CHECK(ring_buffer_kib_in_use(0, 0) == 4096);
    CHECK(ring_buffer_kib_in_use(512, 64) == 512);  // an operator's size is kept
}
