// PCRE2 (JIT when available) regular expression, safe to use from many threads.
#pragma once

#include <string>
#include <string_view>

struct pcre2_real_code_8;

namespace ioc {

class Regex {
public:
    // Throws std::invalid_argument with PCRE2's reason and offset.
    Regex(const std::string& pattern, bool caseless);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;
    bool search(std::string_view s) const;
    const std::string& pattern() const { return pattern_; }

private:
    pcre2_real_code_8* code_ = nullptr;
    std::string pattern_;
};

}  // namespace ioc
