// Matches one Sigma string pattern against field values. Compiled once per
// rule value: literal patterns and the common `*x`, `x*`, `*x*` shapes take a
// fast path (compare / prefix / suffix / find); anything else runs a
// backtracking glob. Case-insensitive patterns are stored lower-cased and must
// be given the lower-cased field value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pattern.hpp"

namespace vigil::behavior::sigma {

class StringMatcher {
public:
    enum class Kind { Exact, Prefix, Suffix, Contains, Any, Glob };

    StringMatcher(const Pattern& pattern, bool cased);

    bool cased() const { return cased_; }
    bool match(std::string_view text) const;

    // For the rule prefilter: the shape and its literal (lower-cased unless cased).
    Kind kind() const { return kind_; }
    const std::string& literal() const { return literal_; }

private:
    static bool glob(const std::vector<std::int16_t>& pat, std::string_view text);

    Kind kind_ = Kind::Exact;
    bool cased_ = false;
    std::string literal_;              // Exact/Prefix/Suffix/Contains
    std::vector<std::int16_t> glob_;   // Glob
};

}  // namespace vigil::behavior::sigma
