#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "response_config.hpp"

using namespace vigil::response;

TEST_CASE("response_config: defaults") {
    ResponseConfig c = parse_config("{}");
    CHECK(c.max_file_size == 100ull * 1024 * 1024);
    CHECK(c.run_default_timeout_s == 600);
    CHECK(c.max_output_bytes == 1024 * 1024);
    CHECK(c.terminate_grace_s == 5);
    CHECK(c.protected_paths == default_protected_paths());
    CHECK(c.extra_protected_paths.empty());
}

TEST_CASE("response_config: settings override defaults") {
    ResponseConfig c = parse_config(
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
    CHECK_THROWS_WITH(parse_config(R"({"max_file_sise":1})"),
                      doctest::Contains("unknown setting \"max_file_sise\""));
    CHECK_THROWS_WITH(parse_config(R"({"max_file_size":"big"})"),
                      doctest::Contains("setting \"max_file_size\""));
    CHECK_THROWS_WITH(parse_config(R"({"protected_paths":["relative"]})"),
                      doctest::Contains("not an absolute path"));
    CHECK_THROWS_WITH(parse_config(R"({"run_default_timeout_s":100,"run_max_timeout_s":10})"),
                      doctest::Contains("run_default_timeout_s"));
    CHECK_THROWS_WITH(parse_config(R"({"max_file_size":0})"), doctest::Contains("max_file_size"));
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
