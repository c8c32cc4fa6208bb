// One CSV record on one line (RFC 4180 quoting: "a ""b"", c" is one field).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::web_threat {

// Splits `line` into `fields`; false when a quote is not closed or a quoted
// field has text after its closing quote.
bool split_csv(std::string_view line, std::vector<std::string>& fields);

}  // namespace vigil::web_threat
