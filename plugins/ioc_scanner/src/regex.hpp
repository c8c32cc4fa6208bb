// PCRE2 (JIT when available) regular expression, safe to use from many threads. The
// patterns come from IOC documents and server tasks and meet attacker-controlled text
// (paths, command lines, file content): every search is bounded by the match and depth
// limits of vigil::common::Regex (a search that hits one counts as no match).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vigil/common/regex.hpp>

namespace vigil::ioc_scanner {

class Regex {
public:
    // Throws std::invalid_argument with PCRE2's reason and offset.
    Regex(const std::string& pattern, bool caseless);
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;
    bool search(std::string_view s) const { return re_->search(s); }
    const std::string& pattern() const { return re_->pattern(); }

private:
    std::unique_ptr<vigil::common::Regex> re_;
};

}  // namespace vigil::ioc_scanner
