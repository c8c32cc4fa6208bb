#include <doctest/doctest.h>

#include "json_args.hpp"
#include "json_util.hpp"

using namespace vigil::response;

TEST_CASE("response_json_args: parses objects and refuses everything else") {
    CHECK_NOTHROW(ArgReader(""));
    CHECK_NOTHROW(ArgReader("{}"));
    CHECK_THROWS_WITH_AS(ArgReader("[1]"), doctest::Contains("must be a JSON object"), ArgError);
    CHECK_THROWS_WITH_AS(ArgReader("{\"a\":"), doctest::Contains("not valid JSON"), ArgError);
}

TEST_CASE("response_json_args: unknown fields are named") {
    ArgReader r(R"({"path":"/x","pahth":"/y"})");
    CHECK(r.string("path") == "/x");
    CHECK_THROWS_WITH_AS(r.finish(), "unknown field \"pahth\"", ArgError);
}

TEST_CASE("response_json_args: typed accessors check type and bounds") {
    ArgReader r(R"({"s":5,"n":-3,"f":1.5,"big":100,"str":"7","b":"yes","sec":-1,"ok":42})");
    CHECK_THROWS_WITH_AS(r.string("s"), doctest::Contains("\"s\" must be a string"), ArgError);
    CHECK_THROWS_WITH_AS(r.uinteger("n", 10), doctest::Contains("must not be negative"), ArgError);
    CHECK_THROWS_WITH_AS(r.uinteger("f", 10), doctest::Contains("must be an integer"), ArgError);
    CHECK_THROWS_WITH_AS(r.uinteger("big", 10), doctest::Contains("too large (100, at most 10)"), ArgError);
    CHECK_THROWS_WITH_AS(r.uinteger("str", 10), doctest::Contains("must be an integer, got a string"),
                         ArgError);
    CHECK_THROWS_WITH_AS(r.boolean("b"), doctest::Contains("true or false"), ArgError);
    CHECK_THROWS_WITH_AS(r.seconds("sec", 10), doctest::Contains("non-negative"), ArgError);
    CHECK(r.uinteger("ok", 42) == 42u);
    CHECK_FALSE(r.string("absent").has_value());
}

TEST_CASE("response_json_args: strings refuse NUL bytes and excessive length") {
    ArgReader r(R"({"nul":"a\u0000b"})");
    CHECK_THROWS_WITH_AS(r.string("nul"), doctest::Contains("NUL"), ArgError);
    std::string big = "{\"x\":\"" + std::string(5000, 'a') + "\"}";
    ArgReader r2(big);
    CHECK_THROWS_WITH_AS(r2.string("x"), doctest::Contains("too long"), ArgError);
}

TEST_CASE("response_json_args: positionals from the vigilctl generic form") {
    ArgReader r(R"({"args":["/a",2]})");
    CHECK(r.positional_count() == 2);
    CHECK(r.positional(0)->IsString());
    CHECK(r.positional(1)->IsNumber());
    CHECK(r.positional(2) == nullptr);
    ArgReader scalar(R"({"args":"/one"})");
    CHECK(scalar.positional_count() == 1);
    CHECK(std::string(scalar.positional(0)->GetString()) == "/one");
}

TEST_CASE("response_json_args: absolute normalized paths") {
    CHECK_NOTHROW(expect_absolute_path("/tmp/x", "p"));
    CHECK_NOTHROW(expect_absolute_path("/", "p"));
    CHECK_THROWS_WITH_AS(expect_absolute_path("tmp/x", "field \"path\""),
                         doctest::Contains("must be an absolute path"), ArgError);
    CHECK_THROWS_WITH_AS(expect_absolute_path("", "p"), doctest::Contains("empty"), ArgError);
    CHECK_THROWS_WITH_AS(expect_absolute_path("/tmp/../etc/shadow", "p"), doctest::Contains("\"..\""),
                         ArgError);
    CHECK_THROWS_WITH_AS(expect_absolute_path("/tmp/./x", "p"), doctest::Contains("\".\""), ArgError);
    CHECK_THROWS_WITH_AS(expect_absolute_path("/" + std::string(5000, 'a'), "p"),
                         doctest::Contains("too long"), ArgError);
}

TEST_CASE("response_json_args: sha256 text") {
    std::string upper(64, 'A');
    CHECK(expect_sha256(upper, "h") == std::string(64, 'a'));
    CHECK_THROWS_WITH_AS(expect_sha256("abc", "field \"sha256\""), doctest::Contains("64 hex digits"),
                         ArgError);
    CHECK_THROWS_AS(expect_sha256(std::string(63, 'a') + "g", "h"), ArgError);
}

TEST_CASE("response_json_util: output is always valid UTF-8 JSON") {
    CHECK(sanitize_utf8("plain") == "plain");
    CHECK(sanitize_utf8("caf\xC3\xA9") == "caf\xC3\xA9");
    CHECK(sanitize_utf8("a\xFF"
                        "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(sanitize_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong "/"
    CHECK(sanitize_utf8("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
    JsonOut o;
    o.begin_object().field("k", std::string_view("x\xFFy\n")).end_object();
    rapidjson::Document d;
    std::string s = o.take();
    d.Parse<rapidjson::kParseValidateEncodingFlag>(s.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["k"].GetString()) == "x\xEF\xBF\xBDy\n");
    CHECK(mode_octal(0100644) == "0644");
    CHECK(mode_octal(0104755) == "4755");
}
