#pragma once
// Receive days (UTC, days since the epoch): the unit in which both engines keep and drop
// events — PostgreSQL as one partition per day, SQLite as one range of event ids per day.
#include <cstdint>
#include <ctime>
#include <string>

namespace vigil::central {

inline constexpr int64_t kDayNs = 86400LL * 1000000000LL;

// Rounded down, also before the epoch.
inline int64_t day_of(int64_t ns) { return ns >= 0 ? ns / kDayNs : -((-ns + kDayNs - 1) / kDayNs); }

// The day formatted by strftime (e.g. "%Y-%m-%d").
inline std::string format_day(int64_t day, const char* format) {
    const time_t t = static_cast<time_t>(day * 86400);
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

}  // namespace vigil::central
