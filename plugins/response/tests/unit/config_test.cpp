#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "settings.hpp"
#include "vigil/testing/host_settings.hpp"

using namespace vigil::response;
using vigil::testing::host_settings;

// The settings as vigild hands them to the plugin: validated, defaults filled.
static ResponseConfig host_parse(const char* json) { return parse_config(host_settings(kConfigSchema, json)); }

TEST_CASE("response_config: defaults") {
    ResponseConfig c = host_parse("{}");
    CHECK(c.max_file_size == 100ull * 1024 * 1024);
    CHECK(c.run_default_timeout_s == 600);
    CHECK(c.max_output_bytes == 1024 * 1024);
    CHECK(c.terminate_grace_s == 5);
    CHECK(c.protected_paths == default_protected_paths());
    CHECK(c.extra_protected_paths.empty());
}

TEST_CASE("response_config: settings override defaults") {
    ResponseConfig c = host_parse(
        R"({"max_file_size":10,"run_default_timeout_s":5,"run_max_timeout_s":20,"max_output_bytes":7,
            "terminate_grace_s":0.5,"protected_paths":["/only"],"extra_protected_paths":["/x/**"],
            "max_concurrent_actions":2})");
    CHECK(c.max_file_size == 10);
    CHECK(c.run_default_timeout_s == 5);
    CHECK(c.run_max_timeout_s == 20);
    CHECK(c.max_output_bytes == 7);
    CHECK(c.terminate_grace_s == 0.5);
    CHECK(c.protected_paths == std::vector<std::string>{"/only"});
    CHECK(c.extra_protected_paths == std::vector<std::string>{"/x/**"});
    CHECK(c.max_concurrent_actions == 2);
}

TEST_CASE("response_config: bad settings are named") {
    // Keys, types, bounds and absolute paths are the schema's: the host refuses, naming the key.
    CHECK_THROWS_WITH(host_parse(R"({"max_file_sise":1})"), doctest::Contains("max_file_sise: unknown setting"));
    CHECK_THROWS_WITH(host_parse(R"({"max_file_size":"big"})"), doctest::Contains("max_file_size: expected"));
    CHECK_THROWS_WITH(host_parse(R"({"protected_paths":["relative"]})"), doctest::Contains("protected_paths[0]"));
    CHECK_THROWS_WITH(host_parse(R"({"run_default_timeout_s":100,"run_max_timeout_s":10})"),
                      doctest::Contains("run_default_timeout_s"));
    CHECK_THROWS_WITH(host_parse(R"({"max_file_size":0})"), doctest::Contains("max_file_size"));
    // Settings that never saw a host are still refused by type, naming the key.
    CHECK_THROWS_WITH(parse_config(R"({"max_file_size":"big"})"), doctest::Contains("setting \"max_file_size\""));
}

TEST_CASE("response_config: the schema's defaults are the code's defaults") {
    ResponseConfig code;  // the initializers ...
    code.protected_paths = default_protected_paths();  // ... and the schema's x-default
    const ResponseConfig schema = host_parse("{}");
    CHECK(schema.protected_paths == code.protected_paths);
    CHECK(schema == code);
    // Every key but the computed one (protected_paths) gets its default from the host.
    rapidjson::Document filled;
    filled.Parse(host_settings(kConfigSchema, "{}").c_str());
    CHECK(filled.MemberCount() == 11);
    CHECK_FALSE(filled.HasMember("protected_paths"));
    CHECK(parse_config("{}") == code);  // an absent key keeps the initializer
}

TEST_CASE("response_config: the embedded schema is a valid draft-4 schema that matches the parser") {
    rapidjson::Document schema_doc;
    schema_doc.Parse(kConfigSchema);
    REQUIRE_FALSE(schema_doc.HasParseError());
    rapidjson::SchemaDocument schema(schema_doc);
    auto valid = [&](const char* json) {
        rapidjson::Document d;
        d.Parse(json);
        rapidjson::SchemaValidator v(schema);
        return d.Accept(v);
    };
    CHECK(valid(R"({})"));
    CHECK(valid(R"({"max_file_size":5,"protected_paths":["/a"],"terminate_grace_s":1.5})"));
    CHECK_FALSE(valid(R"({"unknown":1})"));
    CHECK_FALSE(valid(R"({"max_file_size":0})"));
    CHECK_FALSE(valid(R"({"protected_paths":["rel"]})"));
    CHECK_FALSE(valid(R"({"max_concurrent_actions":1000})"));
}
