// OpenIOC 1.0 / 1.1 reader (Poco::XML SAX).
//
// Lenient where real files are: a 1.0 file that carries the 1.1 attributes
// negate / preserve-case loads and honours them; the 1.0 conditions isnot and
// containsnot are accepted in either version; a missing namespace is tolerated.
// Strict where a mistake would change the meaning: malformed XML, an unknown
// root element, an Indicator without a valid operator, an IndicatorItem
// without Context/Content or with an unknown condition, and metadata elements
// out of the schema's order are errors naming file, line and reason.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "ioc_model.hpp"

namespace vigil::ioc_scanner {

class ParseError : public std::runtime_error {
public:
    ParseError(std::string source, int line, std::string reason);
    const std::string& source() const { return source_; }
    int line() const { return line_; }
    const std::string& reason() const { return reason_; }

private:
    std::string source_;
    int line_;
    std::string reason_;
};

// Largest IOC document accepted (real ones are a few hundred KB).
inline constexpr size_t kMaxIocBytes = 32u << 20;

// Parses XML text; `source` names it in errors (a path or "inline #1").
Ioc parse_ioc(std::string_view xml, const std::string& source);

// Reads and parses a file.
Ioc load_ioc_file(const std::string& path);

}  // namespace vigil::ioc_scanner
