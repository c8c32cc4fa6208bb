// libFuzzer: IndicatorItem content (typed by Content/@type, used with each
// condition) and the values it is compared with. Bad content is refused with
// std::invalid_argument; matching never fails.
// Input: byte 0 = condition, byte 1 = type, byte 2 = preserve-case,
// then "content\0value".
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "value_match.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    const auto cond = vigil::ioc_scanner::Condition(data[0] % 7);
    const auto type = vigil::ioc_scanner::ValueType(data[1] % 8);
    const bool preserve_case = data[2] & 1;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 3, size - 3);
    const size_t nul = rest.find('\0');
    const std::string content(rest.substr(0, nul));
    const std::string_view value = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
    (void)vigil::ioc_scanner::parse_iso8601_date(content);
    (void)vigil::ioc_scanner::parse_duration(content);
    (void)vigil::ioc_scanner::parse_number(content);
    (void)vigil::ioc_scanner::parse_ip(content);
    (void)vigil::ioc_scanner::value_type_from_content(content);
    try {
        vigil::ioc_scanner::ValueMatcher m(cond, type, preserve_case, content);
        (void)m.matches(value);
        (void)m.matches(content);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
