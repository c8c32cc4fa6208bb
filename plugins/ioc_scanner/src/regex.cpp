#include "regex.hpp"

#include <stdexcept>

namespace vigil::ioc_scanner {

Regex::Regex(const std::string& pattern, bool caseless) {
    try {
        re_ = std::make_unique<vigil::common::Regex>(pattern, vigil::common::RegexOptions{.caseless = caseless});
    } catch (const vigil::common::RegexError& e) {
        throw std::invalid_argument("invalid regular expression at offset " + std::to_string(e.offset()) + ": " +
                                    e.message());
    }
}

}  // namespace vigil::ioc_scanner
