#include <doctest/doctest.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vigil/common/json_members.hpp>

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

TEST_CASE("json_members: each value is written by its C++ type, in order") {
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    const std::string text = "a \"quoted\"\nline";
    std::optional<std::string> none, some = "x";
    vigil::common::write_members(w, "s", text, "lit", "z", "neg", int32_t(-5), "big", uint64_t(18446744073709551615ull),
                                 "small", uint8_t(6), "flag", true, "none", none, "some", some, "raw",
                                 [](Writer& wr) { wr.RawValue("[1,2]", 5, rapidjson::kArrayType); }, "half", 0.5);
    w.EndObject();
    CHECK(std::string(b.GetString()) ==
          R"({"s":"a \"quoted\"\nline","lit":"z","neg":-5,"big":18446744073709551615,"small":6,"flag":true,)"
          R"("none":null,"some":"x","raw":[1,2],"half":0.5})");
}

TEST_CASE("json_members: embedded NUL bytes are kept (length, not strlen)") {
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    vigil::common::write_members(w, "k", std::string_view("a\0b", 3));
    w.EndObject();
    CHECK(std::string(b.GetString(), b.GetSize()) == R"({"k":"a\u0000b"})");
}
