// The host fills in the defaults a plugin's JSON Schema declares.
#include <doctest/doctest.h>

#include "schema_check.hpp"
#include "schema_defaults.hpp"

using namespace vigil::core;

namespace {
const std::string kSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "definitions": {
    "action": {"enum": ["block", "notify"]},
    "rule": {"type": "object", "properties": {"path": {"type": "string"}, "recursive": {"type": "boolean", "default": true}}}
  },
  "properties": {
    "name": {"type": "string", "default": "vigil"},
    "count": {"type": "integer", "default": 3},
    "list": {"type": "array", "default": ["/"]},
    "required_no_default": {"type": "string"},
    "first": {"$ref": "#/definitions/action", "default": "block"},
    "nested": {"type": "object", "properties": {"on": {"type": "boolean", "default": false},
                                               "deeper": {"type": "object", "properties": {"n": {"type": "integer", "default": 7}}}}},
    "no_defaults_below": {"type": "object", "properties": {"x": {"type": "string"}}},
    "rules": {"type": "array", "items": {"$ref": "#/definitions/rule"}}
  }
})";
}  // namespace

TEST_CASE("schema defaults: absent keys get the schema's default, present ones are kept") {
    CHECK(apply_schema_defaults(kSchema, "{}") ==
          R"({"name":"vigil","count":3,"list":["/"],"first":"block","nested":{"on":false,"deeper":{"n":7}}})");
    CHECK(apply_schema_defaults(kSchema, R"({"count":0,"list":[],"first":"notify","nested":{"on":true}})") ==
          R"({"count":0,"list":[],"first":"notify","nested":{"on":true,"deeper":{"n":7}},"name":"vigil"})");
}

TEST_CASE("schema defaults: objects inside arrays are filled through items and $ref") {
    CHECK(apply_schema_defaults(kSchema, R"({"rules":[{"path":"/a"},{"path":"/b","recursive":false}]})") ==
          R"({"rules":[{"path":"/a","recursive":true},{"path":"/b","recursive":false}],"name":"vigil","count":3,)"
          R"("list":["/"],"first":"block","nested":{"on":false,"deeper":{"n":7}}})");
}

TEST_CASE("schema defaults: the filled settings still validate; bad input is returned unchanged") {
    const std::string filled = apply_schema_defaults(kSchema, "{}");
    CHECK_FALSE(validate_against_schema(kSchema, filled));
    CHECK(apply_schema_defaults(kSchema, "not json") == "not json");
    CHECK(apply_schema_defaults("[]", R"({"a":1})") == R"({"a":1})");
    // A dangling or cyclic $ref fills nothing below it and does not loop.
    CHECK(apply_schema_defaults(R"({"properties":{"a":{"$ref":"#/nope"}},"definitions":{}})", "{}") == "{}");
    CHECK(apply_schema_defaults(R"({"definitions":{"x":{"$ref":"#/definitions/x"}},"properties":{"a":{"$ref":"#/definitions/x"}}})",
                                "{}") == "{}");
}

#include <filesystem>
#include <fstream>
#include <sstream>

// Every plugin's settings.schema.json: valid, and its defaults satisfy it, so
// the host never hands a plugin settings its own schema would refuse.
TEST_CASE("schema defaults: every plugin's defaults validate against its own schema") {
    size_t checked = 0;
    for (const auto& dir : std::filesystem::directory_iterator(std::string(VIGIL_SOURCE_DIR) + "/plugins")) {
        const auto path = dir.path() / "settings.schema.json";
        if (!std::filesystem::exists(path)) continue;
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        const std::string schema = text.str();
        INFO(path.string());
        REQUIRE_FALSE(check_schema_text(schema));
        // Required keys have no default by nature: give them a plausible value.
        std::string base = "{}";
        if (dir.path().filename() == "kataedr") base = R"({"servers":["https://central:8443"],"server_ca":"/ca.pem"})";
        const std::string filled = apply_schema_defaults(schema, base);
        auto violation = validate_against_schema(schema, filled);
        CHECK_MESSAGE(!violation, (violation ? violation->pointer + ": " + violation->reason : ""));
        CHECK(filled.size() > base.size());
        ++checked;
    }
    CHECK(checked >= 6);
}
