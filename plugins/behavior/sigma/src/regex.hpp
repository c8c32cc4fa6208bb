// A PCRE2 regular expression compiled (and JIT-compiled when available) once
// per rule value, with the match and depth limits of vigil::common::Regex (a search
// that hits one counts as no match). Matching is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vigil/common/regex.hpp>

namespace vigil::behavior::sigma {

class Regex {
public:
    struct Flags {
        bool caseless = false;   // `re|i`
        bool multiline = false;  // `re|m`
        bool dotall = false;     // `re|s`
    };
    // Throws std::invalid_argument with PCRE2's message and offset.
    Regex(std::string_view pattern, Flags flags);

    // Unanchored search, like Sigma backends do.
    bool search(std::string_view text) const;

private:
    std::shared_ptr<const vigil::common::Regex> re_;
};

// Regex source for a literal string (for modifiers that compile to regexes).
std::string regex_quote(std::string_view literal);

}  // namespace vigil::behavior::sigma
