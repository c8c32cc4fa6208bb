#pragma once
// Text on its way into PostgreSQL, which stores only valid UTF-8 without NUL, while what
// agents send is not checked for either (fuzz/fuzz_pg_text.cpp).
#include <string>
#include <string_view>

namespace vigil::central::pg {

// `text` as valid UTF-8 without NUL: U+FFFD for NUL and for every byte that does not belong to
// a valid sequence (overlong forms, surrogates, above U+10FFFF, truncated). Valid text is
// returned unchanged; the same input always gives the same output, so a search for a value
// finds it as it was stored.
std::string valid_utf8(std::string_view text);

// Appends valid_utf8(v) to a COPY text-format row, escaped (backslash, tab, newline, carriage
// return), so a value never ends its field or row.
void copy_field(std::string& row, std::string_view v);

}  // namespace vigil::central::pg
