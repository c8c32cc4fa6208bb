#include "time_spec.hpp"

#include <charconv>
#include <vigil/common/time.hpp>

namespace vigil::central {

namespace {
constexpr int64_t kMaxAgoNs = 100LL * 365 * 86400 * 1000000000;
}

int64_t now_ns() { return common::realtime_ns(); }

std::optional<int64_t> parse_time_spec(std::string_view text, int64_t now) {
    if (text.empty()) return std::nullopt;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size())
        return value >= 0 ? std::optional(value) : std::nullopt;
    if (auto ago = common::parse_duration_ns(text, kMaxAgoNs)) return now - *ago;
    return common::parse_rfc3339(text);
}

}  // namespace vigil::central
