// A Sigma string value after escape processing: a sequence of literal bytes
// and the wildcards `*` (any run) and `?` (one character).
//
// Escapes follow the Sigma specification: a backslash escapes `*`, `?` and a
// backslash; a backslash before anything else is a literal backslash. So
// `\*` is a literal star, `\\*` a backslash then a wildcard, `\\\\` two
// backslashes, and `C:\Windows` keeps its single backslash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::behavior::sigma {

class Pattern {
public:
    // Symbols are literal bytes 0..255, or one of these.
    static constexpr std::int16_t kAnyRun = -1;   // `*`
    static constexpr std::int16_t kAnyChar = -2;  // `?`

    static Pattern parse(std::string_view raw);
    static Pattern literal(std::string_view text);

    bool has_wildcards() const;
    // The literal bytes, for values that have no wildcards (encoders).
    std::string literal_text() const;
    void prepend_any_run();
    void append_any_run();

    const std::vector<std::int16_t>& symbols() const { return symbols_; }

private:
    std::vector<std::int16_t> symbols_;
};

}  // namespace vigil::behavior::sigma
