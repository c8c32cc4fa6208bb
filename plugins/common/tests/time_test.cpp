#include <doctest/doctest.h>

#include "vigil/common/time.hpp"

using namespace vigil::common;

namespace {
constexpr int64_t kS = 1000000000;
}

TEST_CASE("time: durations") {
    CHECK(parse_duration_ns("90s") == 90 * kS);
    CHECK(parse_duration_ns("5m") == 300 * kS);
    CHECK(parse_duration_ns("24h") == 86400 * kS);
    CHECK(parse_duration_ns("7d") == 7 * 86400 * kS);
    CHECK(parse_duration_ns("1h30m") == 5400 * kS);
    CHECK(parse_duration_ns("250ms") == 250000000);
    CHECK(parse_duration_ns("0s") == 0);
    for (const char* bad : {"", "5", "s", "-5s", "5 s", "1.5h", "5x", "5sm", "h5"})
        CHECK_MESSAGE(!parse_duration_ns(bad), bad);
    CHECK_FALSE(parse_duration_ns("99999999999999999999999d"));
    CHECK_FALSE(parse_duration_ns("2h", 3600 * kS));
    CHECK(parse_duration_ns("1h", 3600 * kS) == 3600 * kS);
}

TEST_CASE("time: RFC 3339 round trip and zones") {
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_rfc3339("2026-11-29T02:00:00Z") == int64_t(1795917600) * kS);
    CHECK(parse_rfc3339("2026-11-29T03:00:00.5+01:00") == int64_t(1795917600) * kS + 500000000);
    CHECK(parse_rfc3339("2026-11-29t02:00:00z") == int64_t(1795917600) * kS);
    CHECK(parse_rfc3339("2026-11-28T20:00:00-06:00") == int64_t(1795917600) * kS);
    CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));  // past 2262: ns would overflow int64
    CHECK_FALSE(parse_iso8601("0001-01-01T00:00:00Z"));
    for (const char* bad : {"2026-11-29T02:00:00", "2026-11-29", "2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z",
                            "2026-11-29T02:00:00+0100", "2026-11-29T02:00:00.Z", "2026-11-29T02:00:00Zx", ""})
        CHECK_MESSAGE(!parse_rfc3339(bad), bad);
    CHECK(format_rfc3339(int64_t(1795917600) * kS) == "2026-11-29T02:00:00Z");
    CHECK(format_rfc3339(int64_t(1795917600) * kS + 123456789, 3) == "2026-11-29T02:00:00.123Z");
    CHECK(format_rfc3339(-1, 9) == "1969-12-31T23:59:59.999999999Z");
    const int64_t t = 1700000000123456789;
    CHECK(parse_rfc3339(format_rfc3339(t, 9)) == t);
}

TEST_CASE("time: lenient ISO 8601 as IOC files write it") {
    CHECK(parse_iso8601("2020-01-02") == int64_t(1577923200) * kS);
    CHECK(parse_iso8601(" 2020-01-02T03:04 ") == (int64_t(1577923200) + 3 * 3600 + 4 * 60) * kS);
    CHECK(parse_iso8601("2020-01-02T03:04:05,5") == (int64_t(1577923200) + 11045) * kS + 500000000);
    CHECK(parse_iso8601("2020-01-02T03:04:05+0100") == (int64_t(1577923200) + 11045 - 3600) * kS);
    CHECK(parse_iso8601("2020-01-02T03:04:05Z") == (int64_t(1577923200) + 11045) * kS);
    CHECK_FALSE(parse_iso8601("2020-1-2"));
    CHECK_FALSE(parse_iso8601("2020-01-02T03"));
    CHECK_FALSE(parse_iso8601("2020-01-02T03:04:05 junk"));
}

TEST_CASE("time: clocks move forward and realtime is after 2020") {
    CHECK(realtime_ns() > int64_t(1577836800) * kS);
    const int64_t a = monotonic_ns(), b = monotonic_ns();
    CHECK(b >= a);
    CHECK(boottime_ns() > 0);
}
