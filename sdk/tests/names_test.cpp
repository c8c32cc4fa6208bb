#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vigil/enum_table.hpp>
#include <vigil/names.hpp>

// Every value of every enum in events.h / plugin.h has its own name.
TEST_CASE("names: every enum value is named, distinctly") {
    std::set<std::string> seen;
    for (uint32_t t = VIGIL_TYPE_ANY; t <= VIGIL_TYPE_CORE_LAST; ++t) {
        CHECK(std::string(vigil::type_name(t)) != "unknown");
        CHECK(seen.insert(vigil::type_name(t)).second);
    }
    CHECK(std::string(vigil::type_name(VIGIL_TYPE_CUSTOM_BASE + 5)) == "custom");
    CHECK(std::string(vigil::type_name(99)) == "unknown");
    auto all_named = [](auto fn, int first, int last) {
        std::set<std::string> names;
        for (int v = first; v <= last; ++v) {
            std::string n = fn(v);
            if (n == "unknown" || !names.insert(n).second) return false;
        }
        return std::string(fn(last + 1)) == "unknown";
    };
    CHECK(all_named([](int v) { return vigil::network_action_name(uint32_t(v)); }, VIGIL_NET_CONNECT, VIGIL_NET_CLOSE));
    CHECK(all_named([](int v) { return vigil::file_action_name(uint32_t(v)); }, VIGIL_FILE_CREATE, VIGIL_FILE_OPEN));
    CHECK(all_named([](int v) { return vigil::severity_name(uint32_t(v)); }, VIGIL_SEV_INFO, VIGIL_SEV_CRITICAL));
    CHECK(all_named([](int v) { return vigil::plugin_state_name(uint32_t(v)); }, VIGIL_PLUGIN_LOADED,
                    VIGIL_PLUGIN_DISABLED));
    CHECK(all_named([](int v) { return vigil::overflow_policy_name(uint32_t(v)); }, VIGIL_OVERFLOW_DROP_OLDEST,
                    VIGIL_OVERFLOW_DROP_NEWEST));
    CHECK(all_named([](int v) { return vigil::log_level_name(v); }, VIGIL_LOG_TRACE, VIGIL_LOG_ERROR));
    CHECK(all_named([](int v) { return vigil::status_name(-v); }, 0, -VIGIL_EFAILED));
    CHECK(std::string(vigil::severity_name(VIGIL_SEV_HIGH)) == "high");
    CHECK(std::string(vigil::file_action_name(VIGIL_FILE_RENAME)) == "rename");
    CHECK(std::string(vigil::status_name(VIGIL_EINVAL)) == "EINVAL");
}

TEST_CASE("enum_table: one table answers both directions") {
    enum class Color { red = 1, green = 2, blue = 7 };
    static constexpr vigil::EnumName<Color> kColors[] = {{Color::red, "red"}, {Color::green, "green"}};
    CHECK(std::string(vigil::enum_name(kColors, Color::green, "?")) == "green");
    CHECK(std::string(vigil::enum_name(kColors, Color::blue, "?")) == "?");
    CHECK(vigil::enum_from_name(kColors, "red") == Color::red);
    CHECK_FALSE(vigil::enum_from_name(kColors, "Red").has_value());
    CHECK_FALSE(vigil::enum_from_name(kColors, "").has_value());
    static_assert(vigil::enum_name(kColors, Color::red, "?")[0] == 'r', "usable at compile time");
}

TEST_CASE("names: the tables read names back and know every hash status") {
    CHECK(vigil::enum_from_name(vigil::names::kFileActions, "rename") == uint32_t(VIGIL_FILE_RENAME));
    CHECK(vigil::enum_from_name(vigil::names::kLogLevels, "warn") == int32_t(VIGIL_LOG_WARN));
    CHECK_FALSE(vigil::enum_from_name(vigil::names::kSeverities, "unknown").has_value());
    std::set<std::string> seen;
    for (uint32_t s = VIGIL_HASH_NONE; s <= VIGIL_HASH_DISABLED; ++s) {
        CHECK(std::string(vigil::hash_status_name(s)) != "unknown");
        CHECK(seen.insert(vigil::hash_status_name(s)).second);
    }
    CHECK(std::string(vigil::hash_status_name(VIGIL_HASH_DISABLED + 1)) == "unknown");
    CHECK(std::string(vigil::type_name(VIGIL_TYPE_CUSTOM_BASE)) == "custom");
}
