// Typed comparison of one IndicatorItem's content against item values.
//
// Content types: string, int, float, date (ISO 8601), duration (ISO 8601
// "P1DT2H", "[d.]hh:mm:ss" or seconds), md5 / sha1 / sha256 (hex, compared
// case-insensitively), IP (v4/v6, CIDR, v4-mapped v6), bool. Conditions follow
// the OpenIOC 1.1 table: is / greater-than / less-than compare typed values
// (with "A TO B" inclusive ranges for is), contains / starts-with / ends-with /
// matches work on the value's text. preserve-case applies to text operations;
// by default they ignore ASCII case, and so does `matches` (PCRE2).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ioc_model.hpp"

namespace vigil::ioc_scanner {

enum class ValueType { String, Int, Float, Date, Duration, Hash, Ip, Bool };

const char* to_string(ValueType t);
const char* to_string(Condition c);

// Maps Content/@type ("string", "int", "md5", "IP", ...) to a value type;
// nullopt for a type this scanner does not know.
std::optional<ValueType> value_type_from_content(std::string_view content_type);

// Parsers shared with collectors and tests. All return nullopt on bad input.
std::optional<long double> parse_iso8601_date(std::string_view s);  // epoch seconds (UTC), common::parse_iso8601
std::optional<long double> parse_duration(std::string_view s);      // seconds
std::optional<long double> parse_number(std::string_view s);
std::string format_iso8601(int64_t epoch_seconds);  // "YYYY-MM-DDTHH:MM:SSZ"

struct IpAddr {
    std::array<uint8_t, 16> bytes{};  // IPv4 stored as v4-mapped IPv6
    bool v4 = false;
};
std::optional<IpAddr> parse_ip(std::string_view s);

class Regex;  // regex.hpp

// One compiled comparison. Throws std::invalid_argument with a reason when
// the content cannot be used with the condition and type (bad number, bad
// regex, contains on an IP range, ...).
class ValueMatcher {
public:
    ValueMatcher(Condition cond, ValueType type, bool preserve_case, std::string content);
    ~ValueMatcher();
    ValueMatcher(ValueMatcher&&) noexcept;
    ValueMatcher& operator=(ValueMatcher&&) noexcept;

    // True when `value` satisfies the condition (negate is applied by the caller).
    bool matches(std::string_view value) const;

    Condition condition() const { return cond_; }
    ValueType type() const { return type_; }
    bool preserve_case() const { return preserve_case_; }
    const std::string& content() const { return content_; }
    // Lower-cased content when case is ignored (used by hash-set lookups).
    const std::string& folded() const { return folded_; }
    bool is_range() const { return range_; }

private:
    // The typed contents, checked against the condition and parsed once.
    void compile_number(bool is_range, std::string_view a, std::string_view b);
    void compile_ip(bool is_range, std::string_view a, std::string_view b);
    void compile_bool();
    bool text_op(std::string_view value) const;
    bool typed_compare(std::string_view value) const;

    Condition cond_;
    ValueType type_;
    bool preserve_case_;
    bool range_ = false;
    std::string content_, folded_;
    long double lo_ = 0, hi_ = 0;  // numeric types
    IpAddr ip_lo_{}, ip_hi_{};     // IP (range or CIDR as [lo, hi])
    bool bool_value_ = false;
    std::unique_ptr<Regex> regex_;
};

// ASCII case-folding helpers (allocation-free).
bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view hay, std::string_view needle_folded);
std::string fold(std::string_view s);

}  // namespace vigil::ioc_scanner
