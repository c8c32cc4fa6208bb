#pragma once
// PCRE2 regular expressions for text an attacker may control (command lines, paths, file
// content): compiled once, JIT when available, and every match bounded by a step and depth
// limit so a pathological pattern costs a bounded amount per subject instead of stalling
// the thread that matches. Matching is thread-safe (match data and context per thread).

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::common {

struct RegexOptions {
    bool caseless = false;
    bool multiline = false;
    bool dotall = false;
    // Subjects with invalid UTF-8 are still searched (the invalid bytes never match);
    // without it such a subject never matches.
    bool match_invalid_utf = true;
    uint32_t match_limit = 200000;  // PCRE2 match() calls per search (PCRE2's default: 10,000,000)
    uint32_t depth_limit = 10000;   // backtracking depth per search
};

// A pattern that does not compile: PCRE2's message and the offset in the pattern.
class RegexError : public std::invalid_argument {
public:
    RegexError(std::string message, size_t offset)
        : std::invalid_argument(message), message_(std::move(message)), offset_(offset) {}
    const std::string& message() const { return message_; }
    size_t offset() const { return offset_; }

private:
    std::string message_;
    size_t offset_;
};

class Regex {
public:
    enum class Result { match, no_match, limit_exceeded };

    // Throws RegexError.
    explicit Regex(std::string_view pattern, RegexOptions options = {});

    // Unanchored search; a search that hits a limit counts as no match.
    bool search(std::string_view subject) const { return search_result(subject) == Result::match; }
    Result search_result(std::string_view subject) const;

    const std::string& pattern() const { return pattern_; }
    bool jit() const { return jit_; }

private:
    std::string pattern_;
    std::shared_ptr<void> code_;  // pcre2_code_8
    bool jit_ = false;
    uint32_t match_limit_, depth_limit_;
    bool invalid_utf_ok_;
};

// How many searches in this process ended at a limit (for status reports).
uint64_t regex_limit_hits();

}  // namespace vigil::common
