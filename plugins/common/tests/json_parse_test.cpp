#include <doctest/doctest.h>

#include <string>

#include "vigil/common/json_parse.hpp"

using namespace vigil::common;

TEST_CASE("json_parse: ordinary documents") {
    rapidjson::Document d;
    CHECK(parse_json_bounded(d, R"({"a":[1,{"b":"x"}],"c":"[[[\"{"})").empty());
    CHECK(d["a"][1]["b"] == "x");
    CHECK(json_nesting_depth(R"({"a":[1,{"b":"x"}],"c":"[[[\"{"})") == 3);
}

TEST_CASE("json_parse: errors name the place") {
    rapidjson::Document d;
    auto err = parse_json_bounded(d, R"({"a":1,})");
    CHECK(err.find("invalid JSON at offset") == 0);
}

TEST_CASE("json_parse: deep nesting is refused before parsing, without recursion") {
    // 8 MiB of '[' overflows the stack of RapidJSON's recursive parser.
    std::string deep = "{\"tasks\":" + std::string(8u << 20, '[');
    rapidjson::Document d;
    CHECK(parse_json_bounded(d, deep) == "nested deeper than 64 levels");
    std::string ok = std::string(64, '[') + std::string(64, ']');
    CHECK(parse_json_bounded(d, ok).empty());
    std::string over = std::string(65, '[') + std::string(65, ']');
    CHECK(parse_json_bounded(d, over) == "nested deeper than 64 levels");
    CHECK(parse_json_bounded(d, over, 100).empty());
}
