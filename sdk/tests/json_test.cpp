#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <utility>
#include <vigil/json_reader.hpp>
#include <vigil/json_writer.hpp>

using vigil::JsonWriter;
namespace json = vigil::json;

TEST_CASE("json writer: commas, nesting and every scalar") {
    JsonWriter w;
    w.begin_object()
        .field("s", "x")
        .field("i", -3)
        .field("u", uint64_t(18446744073709551615ull))
        .field("b", true)
        .field("d", 1.5)
        .key("a")
        .begin_array()
        .num(1)
        .begin_object()
        .end_object()
        .begin_array()
        .end_array()
        .null()
        .end_array()
        .raw_field("r", R"({"k":[1]})")
        .end_object();
    CHECK(w.take() == R"({"s":"x","i":-3,"u":18446744073709551615,"b":true,"d":1.5,"a":[1,{},[],null],"r":{"k":[1]}})");
    // take() resets the writer.
    w.begin_array().str("a").end_array();
    CHECK(w.take() == R"(["a"])");
    w.dbl(std::numeric_limits<double>::infinity());
    CHECK(w.take() == "null");
}

TEST_CASE("json writer: control bytes and quotes are escaped") {
    CHECK(vigil::json_escape(std::string("a\"b\\c\n\r\t\x01\x1f", 10)) == "a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f");
    CHECK(vigil::json_quote("x") == "\"x\"");
    CHECK(vigil::json_escape(std::string("\0", 1)) == "\\u0000");
}

TEST_CASE("json writer: invalid UTF-8 becomes U+FFFD, valid UTF-8 passes") {
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(vigil::json_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    CHECK(vigil::json_escape("\xff") == fffd);
    CHECK(vigil::json_escape("a\x80z") == "a" + fffd + "z");                    // stray continuation
    CHECK(vigil::json_escape("\xC0\xAF") == fffd + fffd);                       // overlong '/'
    CHECK(vigil::json_escape("\xED\xA0\x80") == fffd + fffd + fffd);            // UTF-16 surrogate
    CHECK(vigil::json_escape("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // past U+10FFFF
    CHECK(vigil::json_escape("\xE2\x82") == fffd + fffd);                       // truncated at the end
    CHECK(vigil::sanitize_utf8("ok\xfe") == "ok" + fffd);
    // Every byte value round-trips into text the strict reader accepts.
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(char(i));
    JsonWriter w;
    w.begin_object().field(all, all).end_object();
    auto v = json::parse(w.take());
    REQUIRE(v.members().size() == 1);
    CHECK(v.members()[0].second.as_string().substr(0, 128) == all.substr(0, 128));
}

TEST_CASE("json reader: documents, numbers and escapes") {
    auto v = json::parse(R"( {"a":[1,-2.5e3,true,false,null],"s":"\u00e9\ud83d\ude00\n","a":0} )");
    REQUIRE(v.is_object());
    CHECK(v.find("a")->is_number());  // the last of a repeated key wins
    CHECK(v.find("a")->as_int64() == 0);
    CHECK(v.find("s")->as_string() == "\xC3\xA9\xF0\x9F\x98\x80\n");
    auto arr = json::parse("[18446744073709551615,-9223372036854775808,1.0]");
    CHECK(arr.items()[0].is_uint64());
    CHECK_FALSE(arr.items()[0].is_int64());
    CHECK(arr.items()[1].as_int64() == std::numeric_limits<int64_t>::min());
    CHECK_FALSE(arr.items()[2].is_int64());
    CHECK(arr.items()[2].as_double() == 1.0);
    CHECK(json::parse(R"("\ud800")").as_string() == "\xEF\xBF\xBD");  // lone surrogate
}

TEST_CASE("json reader: malformed text is refused with an offset") {
    for (const char* bad : {"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"a", "\"\x01\"",
                            "\"\\x\"", "[1] x", "{'a':1}", "nan"}) {
        CHECK_THROWS_AS_MESSAGE(json::parse(bad), json::ParseError, bad);
    }
    try {
        json::parse("[1, x]");
    } catch (const json::ParseError& e) {
        CHECK(e.offset() == 4);
        CHECK(std::string(e.what()) == "invalid value at offset 4");
    }
    // Each separator mistake names what was expected and where.
    const std::pair<const char*, const char*> named[] = {
        {"[1 2]", "expected ',' or ']' at offset 3"},
        {"{\"a\" 1}", "expected ':' at offset 5"},
        {"{\"a\":1 \"b\"}", "expected ',' or '}' at offset 7"},
        {"{\"a\":1,", "expected a string key at offset 7"},
        {"[1,", "unexpected end of text at offset 3"},
        {"[1,,2]", "invalid value at offset 3"},
    };
    for (const auto& bad : named) CHECK_THROWS_WITH_AS(json::parse(bad.first), bad.second, json::ParseError);
    CHECK(json::parse("{ }").size() == 0);
    CHECK(json::parse("[ ]").size() == 0);
    CHECK(json::parse(R"({ "a" : [ 1 , {} ] , "b":{ } })").find("a")->size() == 2);
    std::string deep(json::kMaxDepth + 2, '[');
    deep += std::string(json::kMaxDepth + 2, ']');
    CHECK_THROWS_AS(json::parse(deep), json::ParseError);
    std::string ok(json::kMaxDepth, '[');
    ok += std::string(json::kMaxDepth, ']');
    CHECK_NOTHROW(json::parse(ok));
}
