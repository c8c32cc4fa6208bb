// Every condition, content type, attribute and the TO range operator: one
// table of (condition, type, content, value) cases, checked topic by topic.
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
    std::string_view topic;
    Condition condition;
    ValueType type;
    const char* content;
    const char* value;
    bool preserve_case;
    bool matches;
};

// clang-format off
const MatchCase kMatchCases[] = {
    {"string", C::Is, T::String, "cron.sh", "cron.sh", kFoldCase, kMatch},
    {"string", C::Is, T::String, "CRON.sh", "cron.SH", kFoldCase, kMatch},
    {"string", C::Is, T::String, "cron.sh", "cron.sh.bak", kFoldCase, kNoMatch},
    {"string", C::Contains, T::String, "libgcc", "/lib/LIBGCC4.so", kFoldCase, kMatch},
    {"string", C::Contains, T::String, "libgcc", "/lib/libgc.so", kFoldCase, kNoMatch},
    {"string", C::StartsWith, T::String, "/etc/cron", "/ETC/cron.hourly", kFoldCase, kMatch},
    {"string", C::StartsWith, T::String, "/etc/cron", "/usr/etc/cron", kFoldCase, kNoMatch},
    {"string", C::EndsWith, T::String, "temp", "c/TEMP", kFoldCase, kMatch},
    {"string", C::EndsWith, T::String, "temp", "temp/x", kFoldCase, kNoMatch},
    {"string", C::Matches, T::String, "foo|duck\\.exe", "DUCK.exe", kFoldCase, kMatch},
    {"string", C::Matches, T::String, "^a[0-9]+z$", "a123z", kFoldCase, kMatch},
    {"string", C::Matches, T::String, "^a[0-9]+z$", "a12xz", kFoldCase, kNoMatch},
    {"string", C::GreaterThan, T::String, "b", "c", kFoldCase, kMatch},
    {"string", C::LessThan, T::String, "b", "A", kFoldCase, kMatch},

    {"preserve", C::Is, T::String, "GooD.eXE", "GooD.eXE", kKeepCase, kMatch},
    {"preserve", C::Is, T::String, "GooD.eXE", "good.exe", kKeepCase, kNoMatch},
    {"preserve", C::Contains, T::String, "Evil", "xevilx", kKeepCase, kNoMatch},
    {"preserve", C::Contains, T::String, "Evil", "xEvilx", kKeepCase, kMatch},
    {"preserve", C::StartsWith, T::String, "ABC", "abcd", kKeepCase, kNoMatch},
    {"preserve", C::EndsWith, T::String, "ABC", "xabc", kKeepCase, kNoMatch},
    {"preserve", C::Matches, T::String, "^abc$", "ABC", kKeepCase, kNoMatch},
    {"preserve", C::Matches, T::String, "^abc$", "ABC", kFoldCase, kMatch},

    {"number", C::Is, T::Int, "75264", "75264", kFoldCase, kMatch},
    {"number", C::Is, T::Int, "75264", "75265", kFoldCase, kNoMatch},
    {"number", C::GreaterThan, T::Int, "1000", "1001", kFoldCase, kMatch},
    {"number", C::GreaterThan, T::Int, "1000", "1000", kFoldCase, kNoMatch},
    {"number", C::LessThan, T::Int, "1000", "999", kFoldCase, kMatch},
    {"number", C::LessThan, T::Int, "1000", "abc", kFoldCase, kNoMatch},
    {"number", C::Is, T::Int, "101000 TO 120000", "101000", kFoldCase, kMatch},
    {"number", C::Is, T::Int, "101000 TO 120000", "120000", kFoldCase, kMatch},
    {"number", C::Is, T::Int, "101000 TO 120000", "120001", kFoldCase, kNoMatch},
    {"number", C::Is, T::Int, "0x10", "16", kFoldCase, kMatch},
    {"number", C::Is, T::Float, "1.5", "1.50", kFoldCase, kMatch},
    {"number", C::Contains, T::Int, "264", "75264", kFoldCase, kMatch},

    {"date", C::Is, T::Date, "2014-08-23T08:22:49Z", "2014-08-23T08:22:49Z", kFoldCase, kMatch},
    {"date", C::Is, T::Date, "2014-08-23T08:22:49Z", "2014-08-23T08:22:49.000Z", kFoldCase, kMatch},
    {"date", C::GreaterThan, T::Date, "2014-08-23T08:22:49Z", "2015-01-01T00:00:00Z", kFoldCase, kMatch},
    {"date", C::LessThan, T::Date, "2014-08-23T08:22:49Z", "2014-08-23T08:22:48Z", kFoldCase, kMatch},
    {"date", C::Is, T::Date, kDateRange, "2012-01-01T00:00:00Z", kFoldCase, kMatch},
    {"date", C::Is, T::Date, kDateRange, "2013-01-01T00:00:00Z", kFoldCase, kNoMatch},

    {"duration", C::GreaterThan, T::Duration, "PT1H", "7200", kFoldCase, kMatch},
    {"duration", C::LessThan, T::Duration, "PT1H", "PT59M", kFoldCase, kMatch},
    {"duration", C::Is, T::Duration, "PT1M TO PT2M", "90", kFoldCase, kMatch},
    {"duration", C::Is, T::Duration, "PT1M TO PT2M", "PT3M", kFoldCase, kNoMatch},

    {"hash", C::Is, T::Hash, "DA2A657DC69D7320F2FFC87013F257AD", "da2a657dc69d7320f2ffc87013f257ad", kFoldCase, kMatch},
    {"hash", C::Is, T::Hash, "da2a657dc69d7320f2ffc87013f257ad", "da2a657dc69d7320f2ffc87013f257ae", kFoldCase, kNoMatch},
    {"hash", C::Is, T::Hash, "a9993e364706816aba3e25717850c26c9cd0d89d", "A9993E364706816ABA3E25717850C26C9CD0D89D", kFoldCase, kMatch},
    {"hash", C::Is, T::Hash, kSha256, kSha256, kFoldCase, kMatch},

    {"ip", C::Is, T::Ip, "10.1.2.3", "10.1.2.3", kFoldCase, kMatch},
    {"ip", C::Is, T::Ip, "10.1.2.3", "10.1.2.30", kFoldCase, kNoMatch},
    {"ip", C::Is, T::Ip, "10.1.2.3", "::ffff:10.1.2.3", kFoldCase, kMatch},
    {"ip", C::Is, T::Ip, "2001:db8::1", "2001:DB8:0:0::1", kFoldCase, kMatch},
    {"ip", C::Is, T::Ip, "10.0.0.0/8", "10.200.3.4", kFoldCase, kMatch},
    {"ip", C::Is, T::Ip, "10.0.0.0/8", "11.0.0.1", kFoldCase, kNoMatch},
    {"ip", C::Is, T::Ip, "2001:db8::/32", "2001:db8:ffff::1", kFoldCase, kMatch},
    {"ip", C::Is, T::Ip, "192.168.1.10 TO 192.168.1.20", "192.168.1.15", kFoldCase, kMatch},
    {"ip", C::Is, T::Ip, "192.168.1.10 TO 192.168.1.20", "192.168.1.21", kFoldCase, kNoMatch},
    {"ip", C::Contains, T::Ip, "168.1", "192.168.1.15", kFoldCase, kMatch},
    {"ip", C::Matches, T::Ip, "^192\\.168\\.", "192.168.1.15", kFoldCase, kMatch},
    {"ip", C::Is, T::Ip, "10.1.2.3", "not-an-ip", kFoldCase, kNoMatch},

    {"bool", C::Is, T::Bool, "true", "TRUE", kFoldCase, kMatch},
    {"bool", C::Is, T::Bool, "true", "false", kFoldCase, kNoMatch},
};

// Contents the matcher refuses for the condition and type (std::invalid_argument).
struct RefusedCase {
    std::string_view topic;
    Condition condition;
    ValueType type;
    const char* content;
};
const RefusedCase kRefused[] = {
    {"number", C::Is, T::Int, "12a"},
    {"number", C::GreaterThan, T::Int, "1 TO 2"},
    {"number", C::Is, T::String, "a TO b"},
    {"hash", C::GreaterThan, T::Hash, kSha256},
    {"ip", C::Is, T::Ip, "10.1.2"},
    {"ip", C::GreaterThan, T::Ip, "10.1.2.3"},
    // Prefixes outside int, negative or fractional are refused (found by fuzzing: UB cast).
    {"ip", C::Is, T::Ip, "0.0.0.0/7777777777777777777777777777777777777777777760"},
    {"ip", C::Is, T::Ip, "10.0.0.0/-1"},
    {"ip", C::Is, T::Ip, "10.0.0.0/8.5"},
    {"ip", C::Is, T::Ip, "10.0.0.0/33"},
    {"ip", C::Is, T::Ip, "2001:db8::/129"},
    {"bool", C::Matches, T::String, "a(b"},
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

void check_topic(std::string_view topic) {
    size_t cases = 0;
    for (const MatchCase& c : kMatchCases) {
        if (c.topic != topic) continue;
        ++cases;
        CAPTURE(c.content);
        CAPTURE(c.value);
        CHECK(ValueMatcher(c.condition, c.type, c.preserve_case, c.content).matches(c.value) == c.matches);
    }
    for (const RefusedCase& c : kRefused) {
        if (c.topic != topic) continue;
        ++cases;
        CAPTURE(c.content);
        CHECK_THROWS_AS(ValueMatcher(c.condition, c.type, false, c.content), std::invalid_argument);
    }
    CHECK(cases > 0);
}

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

TEST_CASE("ioc_scanner string conditions") { check_topic("string"); }

TEST_CASE("ioc_scanner preserve-case") { check_topic("preserve"); }

TEST_CASE("ioc_scanner int and float with ranges") { check_topic("number"); }

TEST_CASE("ioc_scanner dates (ISO 8601)") {
    check_parses(kDates, [](const char* s) { return parse_iso8601_date(s); });
    check_topic("date");
    CHECK(format_iso8601(1408782169) == "2014-08-23T08:22:49Z");
}

TEST_CASE("ioc_scanner durations") {
    check_parses(kDurations, [](const char* s) { return parse_duration(s); });
    check_topic("duration");
}

TEST_CASE("ioc_scanner hashes md5 sha1 sha256") {
    check_topic("hash");
    for (const char* name : {"md5", "sha1", "sha256"}) CHECK(value_type_from_content(name) == ValueType::Hash);
}

TEST_CASE("ioc_scanner IP addresses") {
    check_topic("ip");
    CHECK(value_type_from_content("IP") == ValueType::Ip);
}

TEST_CASE("ioc_scanner bool and invalid regex") {
    check_topic("bool");
    CHECK_FALSE(value_type_from_content("weird"));
}
