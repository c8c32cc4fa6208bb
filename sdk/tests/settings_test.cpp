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
