#pragma once
// Parses the time arguments of event queries: RFC 3339 ("2026-11-29T02:00:00Z",
// "2026-11-29T03:00:00.5+01:00"), an integer in ns since the epoch, or a duration before
// now ("30s", "10m", "2h", "7d").
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::central {

std::optional<int64_t> parse_time_spec(std::string_view text, int64_t now_ns);
int64_t now_ns();

}  // namespace vigil::central
