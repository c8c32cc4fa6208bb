#pragma once
// Clocks, durations ("24h", "5m", "1h30m") and RFC 3339 timestamps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::common {

// Nanoseconds of CLOCK_REALTIME (since the epoch), CLOCK_MONOTONIC and
// CLOCK_BOOTTIME (since boot, counting suspend).
int64_t realtime_ns();
int64_t monotonic_ns();
int64_t boottime_ns();
inline int64_t realtime_ms() { return realtime_ns() / 1000000; }

// A duration: one or more <digits><unit> groups, units ms, s, m, h, d
// ("90s", "24h", "1h30m"). nullopt on anything else (no sign, no spaces, no
// fractions) or when the total exceeds max_ns.
std::optional<int64_t> parse_duration_ns(std::string_view text, int64_t max_ns = INT64_MAX);

// "2026-11-29T02:00:00Z"; fraction_digits (0..9) adds ".123" etc.
std::string format_rfc3339(int64_t epoch_ns, int fraction_digits = 0);

// RFC 3339: date 'T' time, optional fraction, 'Z' or ±hh:mm (required).
// Returns ns since the epoch; nullopt when malformed or out of range.
std::optional<int64_t> parse_rfc3339(std::string_view text);

// ISO 8601 as IOC files write it, more lenient than RFC 3339: the date alone,
// hh:mm without seconds, ',' as decimal mark, ±hhmm or no zone (UTC), and
// surrounding white space.
std::optional<int64_t> parse_iso8601(std::string_view text);

}  // namespace vigil::common
