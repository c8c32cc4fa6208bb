// Every condition, content type, attribute and the TO range operator: tables
// of (condition, type, content, value) cases.
#include <doctest/doctest.h>

#include <optional>
#include <string_view>

#include "value_match.hpp"

using namespace vigil::ioc_scanner;

namespace {

using C = Condition;
using T = ValueType;
constexpr bool kMatch = true, kNoMatch = false;     // expected result
constexpr bool kKeepCase = true, kFoldCase = false;  // preserve-case attribute

constexpr const char* kSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kDateRange = "2011-04-20T10:28:55Z TO 2012-12-14T19:09:00Z";

struct MatchCase {
    Condition condition;
    ValueType type;
    const char* content;
    const char* value;
    bool preserve_case;
    bool matches;
};

// clang-format off
const MatchCase kMatchCases[] = {
    // string conditions
    {C::Is, T::String, "cron.sh", "cron.sh", kFoldCase, kMatch},
    {C::Is, T::String, "CRON.sh", "cron.SH", kFoldCase, kMatch},
    {C::Is, T::String, "cron.sh", "cron.sh.bak", kFoldCase, kNoMatch},
    {C::Contains, T::String, "libgcc", "/lib/LIBGCC4.so", kFoldCase, kMatch},
    {C::Contains, T::String, "libgcc", "/lib/libgc.so", kFoldCase, kNoMatch},
    {C::StartsWith, T::String, "/etc/cron", "/ETC/cron.hourly", kFoldCase, kMatch},
    {C::StartsWith, T::String, "/etc/cron", "/usr/etc/cron", kFoldCase, kNoMatch},
    {C::EndsWith, T::String, "temp", "c/TEMP", kFoldCase, kMatch},
    {C::EndsWith, T::String, "temp", "temp/x", kFoldCase, kNoMatch},
    {C::Matches, T::String, "foo|duck\\.exe", "DUCK.exe", kFoldCase, kMatch},
    {C::Matches, T::String, "^a[0-9]+z$", "a123z", kFoldCase, kMatch},
    {C::Matches, T::String, "^a[0-9]+z$", "a12xz", kFoldCase, kNoMatch},
    {C::GreaterThan, T::String, "b", "c", kFoldCase, kMatch},
    {C::LessThan, T::String, "b", "A", kFoldCase, kMatch},
    // preserve-case
    {C::Is, T::String, "GooD.eXE", "GooD.eXE", kKeepCase, kMatch},
    {C::Is, T::String, "GooD.eXE", "good.exe", kKeepCase, kNoMatch},
    {C::Contains, T::String, "Evil", "xevilx", kKeepCase, kNoMatch},
    {C::Contains, T::String, "Evil", "xEvilx", kKeepCase, kMatch},
    {C::StartsWith, T::String, "ABC", "abcd", kKeepCase, kNoMatch},
    {C::EndsWith, T::String, "ABC", "xabc", kKeepCase, kNoMatch},
    {C::Matches, T::String, "^abc$", "ABC", kKeepCase, kNoMatch},
    {C::Matches, T::String, "^abc$", "ABC", kFoldCase, kMatch},
    // int and float with ranges
    {C::Is, T::Int, "75264", "75264", kFoldCase, kMatch},
    {C::Is, T::Int, "75264", "75265", kFoldCase, kNoMatch},
    {C::GreaterThan, T::Int, "1000", "1001", kFoldCase, kMatch},
    {C::GreaterThan, T::Int, "1000", "1000", kFoldCase, kNoMatch},
    {C::LessThan, T::Int, "1000", "999", kFoldCase, kMatch},
    {C::LessThan, T::Int, "1000", "abc", kFoldCase, kNoMatch},
    {C::Is, T::Int, "101000 TO 120000", "101000", kFoldCase, kMatch},
    {C::Is, T::Int, "101000 TO 120000", "120000", kFoldCase, kMatch},
    {C::Is, T::Int, "101000 TO 120000", "120001", kFoldCase, kNoMatch},
    {C::Is, T::Int, "0x10", "16", kFoldCase, kMatch},
    {C::Is, T::Float, "1.5", "1.50", kFoldCase, kMatch},
    {C::Contains, T::Int, "264", "75264", kFoldCase, kMatch},
    // dates (ISO 8601)
    {C::Is, T::Date, "2014-08-23T08:22:49Z", "2014-08-23T08:22:49Z", kFoldCase, kMatch},
    {C::Is, T::Date, "2014-08-23T08:22:49Z", "2014-08-23T08:22:49.000Z", kFoldCase, kMatch},
    {C::GreaterThan, T::Date, "2014-08-23T08:22:49Z", "2015-01-01T00:00:00Z", kFoldCase, kMatch},
    {C::LessThan, T::Date, "2014-08-23T08:22:49Z", "2014-08-23T08:22:48Z", kFoldCase, kMatch},
    {C::Is, T::Date, kDateRange, "2012-01-01T00:00:00Z", kFoldCase, kMatch},
    {C::Is, T::Date, kDateRange, "2013-01-01T00:00:00Z", kFoldCase, kNoMatch},
    // durations
    {C::GreaterThan, T::Duration, "PT1H", "7200", kFoldCase, kMatch},
    {C::LessThan, T::Duration, "PT1H", "PT59M", kFoldCase, kMatch},
    {C::Is, T::Duration, "PT1M TO PT2M", "90", kFoldCase, kMatch},
    {C::Is, T::Duration, "PT1M TO PT2M", "PT3M", kFoldCase, kNoMatch},
    // hashes md5 sha1 sha256
    {C::Is, T::Hash, "DA2A657DC69D7320F2FFC87013F257AD", "da2a657dc69d7320f2ffc87013f257ad", kFoldCase, kMatch},
    {C::Is, T::Hash, "da2a657dc69d7320f2ffc87013f257ad", "da2a657dc69d7320f2ffc87013f257ae", kFoldCase, kNoMatch},
    {C::Is, T::Hash, "a9993e364706816aba3e25717850c26c9cd0d89d", "A9993E364706816ABA3E25717850C26C9CD0D89D", kFoldCase, kMatch},
    {C::Is, T::Hash, kSha256, kSha256, kFoldCase, kMatch},
    // IP addresses
    {C::Is, T::Ip, "10.1.2.3", "10.1.2.3", kFoldCase, kMatch},
    {C::Is, T::Ip, "10.1.2.3", "10.1.2.30", kFoldCase, kNoMatch},
    {C::Is, T::Ip, "10.1.2.3", "::ffff:10.1.2.3", kFoldCase, kMatch},
    {C::Is, T::Ip, "2001:db8::1", "2001:DB8:0:0::1", kFoldCase, kMatch},
    {C::Is, T::Ip, "10.0.0.0/8", "10.200.3.4", kFoldCase, kMatch},
    {C::Is, T::Ip, "10.0.0.0/8", "11.0.0.1", kFoldCase, kNoMatch},
    {C::Is, T::Ip, "2001:db8::/32", "2001:db8:ffff::1", kFoldCase, kMatch},
    {C::Is, T::Ip, "192.168.1.10 TO 192.168.1.20", "192.168.1.15", kFoldCase, kMatch},
    {C::Is, T::Ip, "192.168.1.10 TO 192.168.1.20", "192.168.1.21", kFoldCase, kNoMatch},
    {C::Contains, T::Ip, "168.1", "192.168.1.15", kFoldCase, kMatch},
    {C::Matches, T::Ip, "^192\\.168\\.", "192.168.1.15", kFoldCase, kMatch},
    {C::Is, T::Ip, "10.1.2.3", "not-an-ip", kFoldCase, kNoMatch},
    // bool
    {C::Is, T::Bool, "true", "TRUE", kFoldCase, kMatch},
    {C::Is, T::Bool, "true", "false", kFoldCase, kNoMatch},
};

// Contents the matcher refuses for the condition and type (std::invalid_argument).
struct RefusedCase {
    Condition condition;
    ValueType type;
    const char* content;
};
const RefusedCase kRefused[] = {
    {C::Is, T::Int, "12a"},
    {C::GreaterThan, T::Int, "1 TO 2"},
    {C::Is, T::String, "a TO b"},
    {C::GreaterThan, T::Hash, kSha256},
    {C::Is, T::Ip, "10.1.2"},
    {C::GreaterThan, T::Ip, "10.1.2.3"},
    // Prefixes outside int, negative or fractional are refused (found by fuzzing: UB cast).
    {C::Is, T::Ip, "0.0.0.0/7777777777777777777777777777777777777777777760"},
    {C::Is, T::Ip, "10.0.0.0/-1"},
    {C::Is, T::Ip, "10.0.0.0/8.5"},
    {C::Is, T::Ip, "10.0.0.0/33"},
    {C::Is, T::Ip, "2001:db8::/129"},
    {C::Matches, T::String, "a(b"},
};

// Texts and the seconds they parse to (nullopt: refused).
struct ParseCase {
    const char* text;
    std::optional<double> seconds;
};
const ParseCase kDates[] = {
    {"1970-01-01T00:00:00Z", 0},
    {"2014-08-23T08:22:49Z", 1408782169},
    {"2014-08-23T10:22:49+02:00", 1408782169},
    {"2014-08-23", 1408752000},
    {"2014-13-01", std::nullopt},
    {"yesterday", std::nullopt},
};
const ParseCase kDurations[] = {
    {"-", std::nullopt},  // a bare sign (the fuzzer read past its end)
    {" - ", std::nullopt},
    {"PT1H30M", 5400},
    {"P1DT2S", 86402},
    {"01:00:05", 3605},
    {"2.01:00:00", 2 * 86400 + 3600},
    {"90", 90},
    {"P", std::nullopt},
    {"PT5X", std::nullopt},
};
// clang-format on

template <size_t N, class Parse>
void check_parses(const ParseCase (&cases)[N], Parse parse) {
    for (const ParseCase& c : cases) {
        CAPTURE(c.text);
        const auto got = parse(c.text);
        REQUIRE(got.has_value() == c.seconds.has_value());
        if (c.seconds) CHECK(*got == doctest::Approx(*c.seconds));
    }
}

}  // namespace

TEST_CASE("ioc_scanner conditions on every content type, preserve-case and TO ranges") {
    for (const MatchCase& c : kMatchCases) {
        CAPTURE(c.content);
        CAPTURE(c.value);
        CHECK(ValueMatcher(c.condition, c.type, c.preserve_case, c.content).matches(c.value) == c.matches);
    }
}

TEST_CASE("ioc_scanner contents that do not fit the condition and type are refused") {
    for (const RefusedCase& c : kRefused) {
        CAPTURE(c.content);
        CHECK_THROWS_AS(ValueMatcher(c.condition, c.type, false, c.content), std::invalid_argument);
    }
}

TEST_CASE("ioc_scanner dates (ISO 8601)") {
    check_parses(kDates, [](const char* s) { return parse_iso8601_date(s); });
    CHECK(format_iso8601(1408782169) == "2014-08-23T08:22:49Z");
}

TEST_CASE("ioc_scanner durations") {
    check_parses(kDurations, [](const char* s) { return parse_duration(s); });
}

TEST_CASE("ioc_scanner content types") {
    for (const char* name : {"md5", "sha1", "sha256"}) CHECK(value_type_from_content(name) == ValueType::Hash);
    CHECK(value_type_from_content("IP") == ValueType::Ip);
    CHECK_FALSE(value_type_from_content("weird"));
}
