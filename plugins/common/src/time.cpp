#include "vigil/common/time.hpp"

#include <time.h>

#include <cctype>
#include <chrono>
#include <cstdint>

namespace vigil::common {

namespace {

int64_t clock_ns(clockid_t id) {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// The broken-down fields both parsers fill.
struct Stamp {
    int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
    int64_t frac_ns = 0, offset_s = 0;
};

std::optional<int64_t> to_epoch_ns(const Stamp& t, int max_hour) {
    if (t.mon < 1 || t.mon > 12 || t.day < 1 || t.day > 31 || t.hour > max_hour || t.min > 59 || t.sec > 60)
        return std::nullopt;
    using namespace std::chrono;
    const year_month_day ymd{year(t.year), month(unsigned(t.mon)), day(unsigned(t.day))};
    if (!ymd.ok()) return std::nullopt;
    const int64_t days = sys_days(ymd).time_since_epoch().count();
    const int64_t secs = days * 86400 + t.hour * 3600 + t.min * 60 + t.sec - t.offset_s;
    // ns since the epoch fit an int64 until 2262: later dates (and those before 1678) are refused.
    if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1) return std::nullopt;
    return secs * 1000000000 + t.frac_ns;
}

// ".123456789" at pos (or ',' when allowed); advances pos. False when the
// mark is there without digits.
bool fraction(std::string_view s, size_t& pos, bool allow_comma, int64_t& out) {
    if (pos >= s.size() || !(s[pos] == '.' || (allow_comma && s[pos] == ','))) return true;
    const size_t start = ++pos;
    int64_t scale = 100000000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        out += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
    }
    return pos > start;
}

// 'Z' or ±hh:mm (±hhmm and ±hh too when lenient); false when malformed.
bool zone(std::string_view s, size_t& pos, bool lenient, int64_t& offset_s) {
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
        return true;
    }
    if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return lenient;
    const int sign = s[pos] == '+' ? 1 : -1;
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh)) return false;
    size_t q = pos + 3;
    if (q < s.size() && s[q] == ':') ++q;
    else if (!lenient) return false;
    if (q < s.size() || !lenient) {
        if (!digits(s, q, 2, om)) return false;
        q += 2;
    }
    offset_s = int64_t(oh * 3600 + om * 60) * sign;
    pos = q;
    return true;
}

bool date(std::string_view s, Stamp& t) {
    return s.size() >= 10 && digits(s, 0, 4, t.year) && s[4] == '-' && digits(s, 5, 2, t.mon) && s[7] == '-' &&
           digits(s, 8, 2, t.day);
}

bool time_separator(char c) { return c == 'T' || c == 't' || c == ' '; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

int64_t realtime_ns() { return clock_ns(CLOCK_REALTIME); }
int64_t monotonic_ns() { return clock_ns(CLOCK_MONOTONIC); }
int64_t boottime_ns() { return clock_ns(CLOCK_BOOTTIME); }

std::optional<int64_t> parse_duration_ns(std::string_view s, int64_t max_ns) {
    if (s.empty() || max_ns < 0) return std::nullopt;
    int64_t total = 0;
    size_t i = 0;
    while (i < s.size()) {
        const size_t start = i;
        int64_t value = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (value > (max_ns - (s[i] - '0')) / 10) return std::nullopt;
            value = value * 10 + (s[i++] - '0');
        }
        if (i == start || i == s.size()) return std::nullopt;
        int64_t unit;
        if (s.substr(i, 2) == "ms") {
            unit = 1000000;
            i += 2;
        } else {
            switch (s[i++]) {
                case 's': unit = 1000000000; break;
                case 'm': unit = 60ll * 1000000000; break;
                case 'h': unit = 3600ll * 1000000000; break;
                case 'd': unit = 86400ll * 1000000000; break;
                default: return std::nullopt;
            }
        }
        if (value > (max_ns - total) / unit) return std::nullopt;
        total += value * unit;
    }
    return total;
}

std::string format_rfc3339(int64_t epoch_ns, int fraction_digits) {
    int64_t secs = epoch_ns / 1000000000, ns = epoch_ns % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        --secs;
    }
    const time_t t = time_t(secs);
    struct tm tm {};
    ::gmtime_r(&t, &tm);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out(buf, n);
    if (fraction_digits > 0) {
        const int d = fraction_digits > 9 ? 9 : fraction_digits;
        std::string frac = std::to_string(ns);
        frac.insert(0, 9 - frac.size(), '0');
        out += "." + frac.substr(0, size_t(d));
    }
    return out + "Z";
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
    Stamp t;
    if (!date(s, t) || s.size() < 19 || !time_separator(s[10]) || !digits(s, 11, 2, t.hour) || s[13] != ':' ||
        !digits(s, 14, 2, t.min) || s[16] != ':' || !digits(s, 17, 2, t.sec))
        return std::nullopt;
    size_t pos = 19;
    if (!fraction(s, pos, false, t.frac_ns)) return std::nullopt;
    // RFC 3339 requires a zone.
    if (pos >= s.size() || !zone(s, pos, false, t.offset_s) || pos != s.size()) return std::nullopt;
    return to_epoch_ns(t, 23);
}

std::optional<int64_t> parse_iso8601(std::string_view s) {
    s = trim(s);
    Stamp t;
    if (!date(s, t)) return std::nullopt;
    size_t p = 10;
    if (p < s.size() && time_separator(s[p])) {
        if (!digits(s, p + 1, 2, t.hour) || p + 3 >= s.size() || s[p + 3] != ':' || !digits(s, p + 4, 2, t.min))
            return std::nullopt;
        p += 6;
        if (p < s.size() && s[p] == ':') {
            if (!digits(s, p + 1, 2, t.sec)) return std::nullopt;
            p += 3;
            if (!fraction(s, p, true, t.frac_ns)) return std::nullopt;
        }
        if (!zone(s, p, true, t.offset_s)) return std::nullopt;
    }
    if (p != s.size()) return std::nullopt;
    return to_epoch_ns(t, 24);
}

}  // namespace vigil::common
