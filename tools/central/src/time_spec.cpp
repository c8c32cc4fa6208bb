#include "time_spec.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace vigil::central {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
    int year, mon, day, hour, min, sec;
    if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mon) || s[7] != '-' ||
        !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, hour) ||
        s[13] != ':' || !digits(s, 14, 2, min) || s[16] != ':' || !digits(s, 17, 2, sec)) {
        return std::nullopt;
    }
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return std::nullopt;
    size_t pos = 19;
    int64_t frac_ns = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int64_t scale = 100000000;
        size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            frac_ns += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    int64_t offset_s = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !digits(s, pos + 4, 2, om))
            return std::nullopt;
        offset_s = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
        pos += 6;
    } else {
        return std::nullopt;  // RFC 3339 requires a zone
    }
    if (pos != s.size()) return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{std::chrono::year(year), month(static_cast<unsigned>(mon)),
                       std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) return std::nullopt;
    int64_t days = sys_days(ymd).time_since_epoch().count();
    int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_s;
    // ns since the epoch fit an int64 until 2262: later dates (and those before 1678) are refused.
    if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1) return std::nullopt;
    return secs * 1000000000 + frac_ns;
}

}  // namespace

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<int64_t> parse_time_spec(std::string_view text, int64_t now) {
    if (text.empty()) return std::nullopt;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size())
        return value >= 0 ? std::optional(value) : std::nullopt;
    if (ec == std::errc() && end == text.data() + text.size() - 1 && value >= 0 &&
        value <= 100L * 365 * 86400) {
        int64_t unit = 0;
        switch (text.back()) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            default:
                return std::nullopt;
        }
        if (value > 100L * 365 * 86400 / unit) return std::nullopt;  // more than 100 years back
        return now - value * unit * 1000000000;
    }
    return parse_rfc3339(text);
}

}  // namespace vigil::central
