#include "value_match.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <vigil/common/time.hpp>
#include <vigil/enum_table.hpp>

#include "regex.hpp"

namespace vigil::ioc_scanner {

// ------------------------------------------------------------------ names

namespace {
// clang-format off
constexpr vigil::EnumName<ValueType> kValueTypeNames[] = {
    {ValueType::String, "string"}, {ValueType::Int, "int"}, {ValueType::Float, "float"},
    {ValueType::Date, "date"}, {ValueType::Duration, "duration"}, {ValueType::Hash, "hash"},
    {ValueType::Ip, "IP"}, {ValueType::Bool, "bool"}};
// clang-format on

}  // namespace

const char* to_string(ValueType t) { return vigil::enum_name(kValueTypeNames, t, "?"); }

namespace {
// clang-format off
constexpr vigil::EnumName<Condition> kConditionNames[] = {
    {Condition::Is, "is"}, {Condition::Contains, "contains"}, {Condition::Matches, "matches"},
    {Condition::StartsWith, "starts-with"}, {Condition::EndsWith, "ends-with"},
    {Condition::GreaterThan, "greater-than"}, {Condition::LessThan, "less-than"}};
// clang-format on

}  // namespace

const char* to_string(Condition c) { return vigil::enum_name(kConditionNames, c, "?"); }

std::optional<ValueType> value_type_from_content(std::string_view t) {
    std::string s = fold(t);
    if (s.empty() || s == "string" || s == "text" || s == "xs:string") return ValueType::String;
    if (s == "int" || s == "integer" || s == "long" || s == "uint64" || s == "xs:int" || s == "xs:uint64")
        return ValueType::Int;
    if (s == "float" || s == "double" || s == "xs:float") return ValueType::Float;
    if (s == "date" || s == "datetime" || s == "xs:datetime") return ValueType::Date;
    if (s == "duration" || s == "xs:duration") return ValueType::Duration;
    if (s == "md5" || s == "sha1" || s == "sha256" || s == "hash") return ValueType::Hash;
    if (s == "ip" || s == "ipaddress" || s == "ipv4" || s == "ipv6") return ValueType::Ip;
    if (s == "bool" || s == "boolean" || s == "xs:boolean") return ValueType::Bool;
    return std::nullopt;
}

// ------------------------------------------------------------------ text

static inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

std::string fold(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    if (needle.size() > hay.size()) return false;
    const char first = needle[0];
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (lower(hay[i]) != first) continue;
        size_t j = 1;
        while (j < needle.size() && lower(hay[i + j]) == needle[j]) ++j;
        if (j == needle.size()) return true;
    }
    return false;
}

static std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// ------------------------------------------------------------------ parsers

std::optional<long double> parse_number(std::string_view s) {
    s = trim(s);
    if (s.empty()) return std::nullopt;
    // Hex ("0x1F") appears in real IOCs for flags and addresses.
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        uint64_t v = 0;
        auto r = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
        return static_cast<long double>(v);
    }
    std::string tmp(s);
    char* end = nullptr;
    errno = 0;
    long double v = std::strtold(tmp.c_str(), &end);
    if (end != tmp.c_str() + tmp.size() || errno == ERANGE || std::isnan(v)) return std::nullopt;
    return v;
}

std::optional<long double> parse_iso8601_date(std::string_view s) {
    const auto ns = vigil::common::parse_iso8601(s);
    if (!ns) return std::nullopt;
    return static_cast<long double>(*ns) / 1e9L;
}

std::string format_iso8601(int64_t epoch_seconds) {
    time_t t = time_t(epoch_seconds);
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// ISO 8601 after the 'P': nYnMnWnDTnHnMnS (years as 365 days, months as 30 days).
static std::optional<long double> parse_iso_duration(std::string_view s) {
    long double total = 0;
    bool in_time = false, any = false;
    size_t i = 1;
    while (i < s.size()) {
        if (s[i] == 'T' || s[i] == 't') {
            in_time = true;
            ++i;
            continue;
        }
        size_t j = i;
        while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || s[j] == ',')) ++j;
        if (j == i || j >= s.size()) return std::nullopt;
        std::string num(s.substr(i, j - i));
        std::replace(num.begin(), num.end(), ',', '.');
        auto v = parse_number(num);
        if (!v) return std::nullopt;
        const char unit = char(std::toupper(static_cast<unsigned char>(s[j])));
        long double mult;
        if (!in_time && unit == 'Y')
            mult = 365 * 86400.0L;
        else if (!in_time && unit == 'M')
            mult = 30 * 86400.0L;
        else if (!in_time && unit == 'W')
            mult = 7 * 86400.0L;
        else if (!in_time && unit == 'D')
            mult = 86400.0L;
        else if (in_time && unit == 'H')
            mult = 3600.0L;
        else if (in_time && unit == 'M')
            mult = 60.0L;
        else if (in_time && unit == 'S')
            mult = 1.0L;
        else
            return std::nullopt;
        total += *v * mult;
        any = true;
        i = j + 1;
    }
    if (!any) return std::nullopt;
    return total;
}

// [d.]hh:mm:ss[.fff] or mm:ss.
static std::optional<long double> parse_clock_duration(std::string_view s) {
    long double days = 0;
    auto dot = s.find('.');
    auto colon = s.find(':');
    if (dot != std::string_view::npos && dot < colon) {
        auto d = parse_number(s.substr(0, dot));
        if (!d) return std::nullopt;
        days = *d;
        s.remove_prefix(dot + 1);
    }
    long double parts[3] = {0, 0, 0};
    int n = 0;
    size_t start = 0;
    while (start <= s.size() && n < 3) {
        size_t end = s.find(':', start);
        if (end == std::string_view::npos) end = s.size();
        auto v = parse_number(s.substr(start, end - start));
        if (!v) return std::nullopt;
        parts[n++] = *v;
        start = end + 1;
        if (end == s.size()) break;
    }
    if (n < 2 || start < s.size()) return std::nullopt;
    return days * 86400 + (n == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : parts[0] * 60 + parts[1]);
}

std::optional<long double> parse_duration(std::string_view s) {
    s = trim(s);
    if (s.empty()) return std::nullopt;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        s.remove_prefix(1);
        if (s.empty()) return std::nullopt;  // "-" alone (found by the fuzzer: read past the end)
    }
    std::optional<long double> total;
    if (s[0] == 'P' || s[0] == 'p')
        total = parse_iso_duration(s);
    else if (s.find(':') != std::string_view::npos)
        total = parse_clock_duration(s);
    else
        total = parse_number(s);
    if (!total) return std::nullopt;
    return neg ? -*total : *total;
}

std::optional<IpAddr> parse_ip(std::string_view s) {
    s = trim(s);
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    if (auto pct = s.find('%'); pct != std::string_view::npos) s = s.substr(0, pct);  // zone id
    if (s.empty() || s.size() > 45) return std::nullopt;
    std::string tmp(s);
    IpAddr a;
    in_addr v4{};
    if (inet_pton(AF_INET, tmp.c_str(), &v4) == 1) {
        a.v4 = true;
        a.bytes[10] = a.bytes[11] = 0xff;
        std::memcpy(&a.bytes[12], &v4, 4);
        return a;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, tmp.c_str(), &v6) == 1) {
        std::memcpy(a.bytes.data(), &v6, 16);
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        a.v4 = std::memcmp(a.bytes.data(), mapped, 12) == 0;
        return a;
    }
    return std::nullopt;
}

// ------------------------------------------------------------------ matcher

static bool split_range(std::string_view s, std::string_view& a, std::string_view& b) {
    // "A TO B" (Lucene style, kept by OpenIOC for sizes, dates and addresses).
    for (std::string_view sep : {" TO ", " to "}) {
        auto p = s.find(sep);
        if (p != std::string_view::npos) {
            a = trim(s.substr(0, p));
            b = trim(s.substr(p + sep.size()));
            return true;
        }
    }
    return false;
}

// The number an Int, Float, Date or Duration content reads as (nullopt for other types).
static std::optional<long double> typed_number(ValueType type, std::string_view s) {
    switch (type) {
        case ValueType::Int:
        case ValueType::Float:
            return parse_number(s);
        case ValueType::Date:
            return parse_iso8601_date(s);
        case ValueType::Duration:
            return parse_duration(s);
        default:
            return std::nullopt;
    }
}

ValueMatcher::ValueMatcher(Condition cond, ValueType type, bool preserve_case, std::string content)
    : cond_(cond), type_(type), preserve_case_(preserve_case), content_(std::move(content)) {
    folded_ = preserve_case_ ? content_ : fold(content_);
    if (cond_ == Condition::Matches) {
        regex_ = std::make_unique<Regex>(content_, !preserve_case_);
        return;
    }
    if (cond_ == Condition::Contains || cond_ == Condition::StartsWith || cond_ == Condition::EndsWith)
        return;
    // is / greater-than / less-than: typed
    std::string_view a, b;
    const bool is_range = split_range(content_, a, b);
    if (is_range && cond_ != Condition::Is)
        throw std::invalid_argument("a \"TO\" range needs condition is, not " +
                                    std::string(to_string(cond_)));
    switch (type_) {
        case ValueType::Int:
        case ValueType::Float:
        case ValueType::Date:
        case ValueType::Duration:
            compile_number(is_range, a, b);
            return;
        case ValueType::Ip:
            compile_ip(is_range, a, b);
            return;
        case ValueType::Bool:
            compile_bool();
            return;
        case ValueType::Hash:
            if (cond_ != Condition::Is)
                throw std::invalid_argument("condition " + std::string(to_string(cond_)) +
                                            " does not apply to hashes");
            folded_ = fold(trim(content_));
            return;
        case ValueType::String:
            if (is_range)
                throw std::invalid_argument("a \"TO\" range needs a numeric, date or IP content type");
            return;
    }
}

void ValueMatcher::compile_number(bool is_range, std::string_view a, std::string_view b) {
    auto lo = typed_number(type_, is_range ? a : std::string_view(content_));
    auto hi = is_range ? typed_number(type_, b) : lo;
    if (!lo || !hi)
        throw std::invalid_argument("content " + std::string("\"") + content_ + "\" is not a valid " +
                                    to_string(type_) + (is_range ? " range" : ""));
    lo_ = std::min(*lo, *hi);
    hi_ = std::max(*lo, *hi);
    range_ = is_range;
}

void ValueMatcher::compile_ip(bool is_range, std::string_view a, std::string_view b) {
    if (cond_ != Condition::Is)
        throw std::invalid_argument("condition " + std::string(to_string(cond_)) +
                                    " does not apply to IP addresses");
    std::string_view base = content_;
    int prefix = -1;
    if (!is_range) {
        if (auto slash = base.find('/'); slash != std::string_view::npos) {
            auto p = parse_number(base.substr(slash + 1));
            base = base.substr(0, slash);
            // Range-checked before the conversion: a double outside int is UB.
            if (!p || !(*p >= 0 && *p <= 128) || *p != double(int(*p)))
                throw std::invalid_argument("bad CIDR prefix in \"" + content_ + "\"");
            prefix = int(*p);
        }
    }
    auto lo = parse_ip(is_range ? a : base);
    auto hi = is_range ? parse_ip(b) : lo;
    if (!lo || !hi)
        throw std::invalid_argument("\"" + content_ + "\" is not an IP address, CIDR block or range");
    ip_lo_ = *lo;
    ip_hi_ = *hi;
    if (prefix >= 0) {
        const int bits = lo->v4 ? prefix + 96 : prefix;
        if (prefix > (lo->v4 ? 32 : 128))
            throw std::invalid_argument("bad CIDR prefix in \"" + content_ + "\"");
        for (int i = bits; i < 128; ++i) {
            ip_lo_.bytes[size_t(i / 8)] &= uint8_t(~(0x80u >> (i % 8)));
            ip_hi_.bytes[size_t(i / 8)] |= uint8_t(0x80u >> (i % 8));
        }
    }
    if (ip_hi_.bytes < ip_lo_.bytes) std::swap(ip_lo_, ip_hi_);
    range_ = is_range || prefix >= 0;
}

void ValueMatcher::compile_bool() {
    std::string f = fold(trim(content_));
    if (f == "true" || f == "1" || f == "yes")
        bool_value_ = true;
    else if (f == "false" || f == "0" || f == "no")
        bool_value_ = false;
    else
        throw std::invalid_argument("\"" + content_ + "\" is not a boolean");
    if (cond_ != Condition::Is) throw std::invalid_argument("booleans support only condition is");
}

ValueMatcher::~ValueMatcher() = default;
ValueMatcher::ValueMatcher(ValueMatcher&&) noexcept = default;
ValueMatcher& ValueMatcher::operator=(ValueMatcher&&) noexcept = default;

bool ValueMatcher::text_op(std::string_view v) const {
    switch (cond_) {
        case Condition::Matches:
            return regex_->search(v);
        case Condition::Contains:
            return preserve_case_ ? v.find(content_) != std::string_view::npos : icontains(v, folded_);
        case Condition::StartsWith:
            return v.size() >= content_.size() &&
                   (preserve_case_ ? v.substr(0, content_.size()) == content_
                                   : iequals(v.substr(0, content_.size()), folded_));
        case Condition::EndsWith:
            return v.size() >= content_.size() &&
                   (preserve_case_ ? v.substr(v.size() - content_.size()) == content_
                                   : iequals(v.substr(v.size() - content_.size()), folded_));
        default:
            return false;
    }
}

bool ValueMatcher::typed_compare(std::string_view v) const {
    switch (type_) {
        case ValueType::String: {
            if (cond_ == Condition::Is) return preserve_case_ ? v == content_ : iequals(v, folded_);
            // greater/less on strings: XPath string order (case folded unless preserve-case)
            const std::string a = preserve_case_ ? std::string(v) : fold(v);
            return cond_ == Condition::GreaterThan ? a > folded_ : a < folded_;
        }
        case ValueType::Hash:
            return iequals(trim(v), folded_);
        case ValueType::Int:
        case ValueType::Float:
        case ValueType::Date:
        case ValueType::Duration: {
            std::optional<long double> x;
            if (type_ == ValueType::Date)
                x = parse_iso8601_date(v);
            else if (type_ == ValueType::Duration)
                x = parse_duration(v);
            else
                x = parse_number(v);
            if (!x) return false;
            if (cond_ == Condition::Is) return *x >= lo_ && *x <= hi_;
            if (cond_ == Condition::GreaterThan) return *x > hi_;
            return *x < lo_;
        }
        case ValueType::Ip: {
            auto a = parse_ip(v);
            if (!a) return false;
            return a->bytes >= ip_lo_.bytes && a->bytes <= ip_hi_.bytes;
        }
        case ValueType::Bool: {
            std::string f = fold(trim(v));
            bool b = f == "true" || f == "1" || f == "yes";
            if (!b && f != "false" && f != "0" && f != "no") return false;
            return b == bool_value_;
        }
    }
    return false;
}

bool ValueMatcher::matches(std::string_view value) const {
    switch (cond_) {
        case Condition::Matches:
        case Condition::Contains:
        case Condition::StartsWith:
        case Condition::EndsWith:
            return text_op(value);
        default:
            return typed_compare(value);
    }
}

}  // namespace vigil::ioc_scanner
