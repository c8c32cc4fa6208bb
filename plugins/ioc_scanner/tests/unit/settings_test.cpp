// Plugin settings and result JSON.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "scan_json.hpp"
#include "settings.hpp"
#include "vigil/testing/host_settings.hpp"

using namespace vigil::ioc_scanner;

namespace {

// The settings as vigild hands them to the plugin: validated, defaults filled.
PluginSettings host_parse(const char* json) {
    return parse_settings(vigil::testing::host_settings(kConfigSchema, json));
}

}  // namespace

TEST_CASE("ioc_scanner settings: defaults, values and errors") {
    PluginSettings s = host_parse("{}");
    CHECK(s.engine.limits.hash_max_bytes == 200ull << 20);
    CHECK(s.engine.nice == 10);
    CHECK(s.engine.io_class == "best-effort");
    CHECK(s.engine.cpu_limit_percent == 0);
    CHECK(s.engine.default_paths == std::vector<std::string>{"/"});
    CHECK_FALSE(s.scan_other_mount_namespaces);
    s = host_parse(R"({"hash_max_size_mb":5,"workers":3,"io_class":"idle","cpu_limit_percent":50,
                          "default_paths":["/srv"],"exclusions":["/srv/tmp"],"scan_other_mount_namespaces":true})");
    CHECK(s.engine.limits.hash_max_bytes == 5ull << 20);
    CHECK(s.engine.workers == 3);
    CHECK(s.engine.io_class == "idle");
    CHECK(s.engine.default_exclusions == std::vector<std::string>{"/srv/tmp"});
    CHECK(s.scan_other_mount_namespaces);
    CHECK(s.isolation_args == "{}");
    s = host_parse(R"({"isolation_args":{"timeout_s":600}})");
    CHECK(s.isolation_args == R"({"timeout_s":600})");
    // Bounds, enums and patterns are the schema's: the host refuses, naming the key.
    using vigil::testing::HostSettingsError;
    CHECK_THROWS_WITH_AS(host_parse(R"({"workers":0})"), doctest::Contains("workers"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"io_class":"fast"})"), doctest::Contains("io_class"), HostSettingsError);
    CHECK_THROWS_WITH_AS(host_parse(R"({"default_paths":["rel"]})"), doctest::Contains("default_paths[0]"),
                         HostSettingsError);
    // Settings that never saw a host still map, or are refused naming the key.
    CHECK(parse_settings("{}").engine.workers == default_workers());
    CHECK_THROWS_WITH_AS(parse_settings(R"({"workers":"many"})"), doctest::Contains("workers"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"isolation_args":[1]})"), doctest::Contains("isolation_args"),
                         std::invalid_argument);
    rapidjson::Document schema;
    schema.Parse(kConfigSchema);
    CHECK_FALSE(schema.HasParseError());
}

TEST_CASE("ioc_scanner settings: the schema's defaults are the code's defaults") {
    PluginSettings code;  // the initializers (EngineSettings, FileLimits) ...
    code.engine.workers = default_workers();  // ... and the schema's x-default
    const PluginSettings schema = host_parse("{}");
    CHECK(schema.engine.limits == code.engine.limits);
    CHECK(schema.engine == code.engine);
    CHECK(schema == code);
    CHECK(parse_settings("{}") == code);  // an absent key keeps the initializer
    // Every key but the computed one (workers) gets its default from the host.
    rapidjson::Document filled;
    filled.Parse(vigil::testing::host_settings(kConfigSchema, "{}").c_str());
    CHECK(filled.MemberCount() == 13);
    CHECK_FALSE(filled.HasMember("workers"));
}

TEST_CASE("ioc_scanner result JSON is valid and complete") {
    ScanReport r;
    r.scan_id = 9;
    r.load_errors.push_back({"/x.ioc", 3, "invalid XML: \"quoted\""});
    r.warnings.push_back("w");
    r.actions.push_back({"isolate", "host", false, "plugin isolation is disabled", "{}", 5, "id"});
    rapidjson::Document d;
    const std::string j = report_json(r);
    d.Parse(j.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["scan_id"].GetUint64() == 9);
    CHECK(std::string(d["ioc_errors"][0]["error"].GetString()) == "invalid XML: \"quoted\"");
    CHECK(d["counts"]["ioc_errors"].GetUint64() == 1);
    CHECK(std::string(d["actions"][0]["error"].GetString()) == "plugin isolation is disabled");
    Progress p;
    p.phase = "files";
    p.files_scanned = 3;
    d.Parse(progress_json(9, p).c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["files_scanned"].GetUint64() == 3);
}
