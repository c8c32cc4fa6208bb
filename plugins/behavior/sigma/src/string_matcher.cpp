#include "string_matcher.hpp"

#include "ascii.hpp"

namespace vigil::behavior::sigma {

namespace {

// Length of the UTF-8 sequence starting with byte b (1 for invalid bytes), so
// `?` consumes one character, not one byte, of non-ASCII text.
std::size_t utf8_length(unsigned char b) {
    if (b < 0xC0) return 1;
    if (b < 0xE0) return 2;
    if (b < 0xF0) return 3;
    return 4;
}

std::size_t char_step(std::string_view text, std::size_t pos) {
    std::size_t n = utf8_length(static_cast<unsigned char>(text[pos]));
    return pos + n > text.size() ? text.size() - pos : n;
}

}  // namespace

StringMatcher::StringMatcher(const Pattern& pattern, bool cased) : cased_(cased) {
    // Fold case and collapse runs of `*` (they mean the same as one).
    std::vector<std::int16_t> syms;
    syms.reserve(pattern.symbols().size());
    for (auto s : pattern.symbols()) {
        if (s == Pattern::kAnyRun && !syms.empty() && syms.back() == Pattern::kAnyRun) continue;
        if (s >= 0 && !cased) s = static_cast<unsigned char>(ascii_lower(static_cast<char>(s)));
        syms.push_back(s);
    }

    bool has_one = false;
    std::size_t stars = 0;
    for (auto s : syms) {
        has_one |= s == Pattern::kAnyChar;
        stars += s == Pattern::kAnyRun;
    }
    bool lead = !syms.empty() && syms.front() == Pattern::kAnyRun;
    bool trail = !syms.empty() && syms.back() == Pattern::kAnyRun;
    auto literal_between = [&](std::size_t from, std::size_t to) {
        std::string s;
        for (std::size_t i = from; i < to; ++i) s.push_back(static_cast<char>(syms[i]));
        return s;
    };

    if (!has_one && stars == 0) {
        kind_ = Kind::Exact;
        literal_ = literal_between(0, syms.size());
    } else if (!has_one && stars == 1 && syms.size() == 1) {
        kind_ = Kind::Any;
    } else if (!has_one && stars == 1 && lead) {
        kind_ = Kind::Suffix;
        literal_ = literal_between(1, syms.size());
    } else if (!has_one && stars == 1 && trail) {
        kind_ = Kind::Prefix;
        literal_ = literal_between(0, syms.size() - 1);
    } else if (!has_one && stars == 2 && lead && trail) {
        kind_ = Kind::Contains;
        literal_ = literal_between(1, syms.size() - 1);
    } else {
        kind_ = Kind::Glob;
        glob_ = std::move(syms);
    }
}

bool StringMatcher::match(std::string_view text) const {
    switch (kind_) {
    // Comparing the boundary byte first rejects most candidates without a
    // memcmp call (rules carry long endswith lists of executable names).
    case Kind::Exact: return text == literal_;
    case Kind::Prefix:
        return text.size() >= literal_.size() && (literal_.empty() || text[0] == literal_[0]) &&
               text.starts_with(literal_);
    case Kind::Suffix:
        return text.size() >= literal_.size() && (literal_.empty() || text.back() == literal_.back()) &&
               text.ends_with(literal_);
    case Kind::Contains: return text.find(literal_) != std::string_view::npos;
    case Kind::Any: return true;
    case Kind::Glob: return glob(glob_, text);
    }
    return false;
}

// Iterative wildcard match with single-star backtracking: on a mismatch,
// retry from the last `*` one character further. Linear in practice and
// never recursive, so hostile patterns cannot blow the stack.
bool StringMatcher::glob(const std::vector<std::int16_t>& pat, std::string_view text) {
    std::size_t p = 0, t = 0;
    std::size_t star_p = std::string_view::npos, star_t = 0;
    while (t < text.size()) {
        if (p < pat.size() && pat[p] == Pattern::kAnyRun) {
            star_p = p++;
            star_t = t;
        } else if (p < pat.size() && pat[p] == Pattern::kAnyChar) {
            ++p;
            t += char_step(text, t);
        } else if (p < pat.size() && pat[p] == static_cast<unsigned char>(text[t])) {
            ++p;
            ++t;
        } else if (star_p != std::string_view::npos) {
            p = star_p + 1;
            star_t += char_step(text, star_t);
            t = star_t;
        } else {
            return false;
        }
    }
    while (p < pat.size() && pat[p] == Pattern::kAnyRun) ++p;
    return p == pat.size();
}

}  // namespace vigil::behavior::sigma
