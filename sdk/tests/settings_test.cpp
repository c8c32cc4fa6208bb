#include <doctest/doctest.h>

#include <string>
#include <vigil/settings.hpp>

TEST_CASE("settings: typed fields, dotted paths and lists") {
    vigil::SettingsReader r(R"({"table":"vigil","interval_ms":500,"offset":-3,"ratio":0.5,"on":true,
                               "on_access":{"mounts":["/","/home"],"mode":"notify"},"one":"x"})");
    CHECK(r.str("table") == "vigil");
    CHECK(r.u64("interval_ms") == 500);
    CHECK(r.i64("offset") == -3);
    CHECK(r.number("ratio") == 0.5);
    CHECK(r.boolean("on"));
    CHECK(r.strings("on_access.mounts") == std::vector<std::string>{"/", "/home"});
    CHECK(r.str("on_access.mode") == "notify");
    CHECK(r.strings("one") == std::vector<std::string>{"x"});
    CHECK(r.has("on_access.mounts"));
    CHECK_FALSE(r.has("on_access.missing"));
    CHECK_FALSE(r.has("table.x"));
    CHECK_FALSE(r.opt_str("absent"));
}

TEST_CASE("settings: a missing key or a wrong type names the key") {
    vigil::SettingsReader r(R"({"n":-1,"s":"x"})");
    try {
        r.str("absent");
        FAIL("no error");
    } catch (const vigil::SettingsError& e) {
        CHECK(std::string(e.what()) == "setting \"absent\" is missing (no default in the schema)");
    }
    try {
        r.u64("n");
        FAIL("no error");
    } catch (const vigil::SettingsError& e) {
        CHECK(std::string(e.what()) == "setting \"n\" must be a non-negative integer");
    }
    CHECK_THROWS_AS(r.boolean("s"), vigil::SettingsError);
    CHECK_THROWS_AS(vigil::SettingsReader("[1]"), vigil::SettingsError);
    CHECK_THROWS_AS(vigil::SettingsReader("{"), vigil::SettingsError);
    CHECK_NOTHROW(vigil::SettingsReader(""));
}

TEST_CASE("settings: into() maps present keys and leaves absent ones") {
    vigil::SettingsReader r(R"({"n":7,"neg":-2,"on":false,"name":"x","list":["a"],"ratio":1.5,"big":70000})");
    uint32_t n = 1, absent = 42;
    int64_t neg = 0;
    bool on = true;
    std::string name = "d";
    std::vector<std::string> list{"z"};
    double ratio = 0;
    r.into("n", n);
    r.into("missing", absent);
    r.into("neg", neg);
    r.into("on", on);
    r.into("name", name);
    r.into("list", list);
    r.into("ratio", ratio);
    CHECK(n == 7);
    CHECK(absent == 42);
    CHECK(neg == -2);
    CHECK_FALSE(on);
    CHECK(name == "x");
    CHECK(list == std::vector<std::string>{"a"});
    CHECK(ratio == 1.5);
    uint16_t small = 0;
    CHECK_THROWS_WITH_AS(r.into("big", small), doctest::Contains("\"big\" is out of range"), vigil::SettingsError);
    uint32_t unsigned_field = 0;
    CHECK_THROWS_WITH_AS(r.into("neg", unsigned_field), doctest::Contains("\"neg\" must be"), vigil::SettingsError);
}

TEST_CASE("settings: a dotted path through a value that is not an object names that part") {
    vigil::SettingsReader r(R"({"on_access":{"fail_mode":"deny"},"flat":1})");
    CHECK_FALSE(r.has("on_access.missing.x"));
    CHECK_THROWS_WITH_AS(r.opt_str("on_access.fail_mode.exec"),
                         doctest::Contains("\"on_access.fail_mode\" must be an object"), vigil::SettingsError);
    CHECK_THROWS_WITH_AS(r.opt_boolean("flat.x"), doctest::Contains("\"flat\" must be an object"), vigil::SettingsError);
    CHECK_FALSE(r.has("flat.x"));  // has()/find() only look
}
