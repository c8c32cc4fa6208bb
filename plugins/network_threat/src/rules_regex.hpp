// The pcre keyword of signature rules: "/pattern/flags" compiled with PCRE2
// under match and depth limits, so a hostile payload cannot make one match
// run away.
#pragma once

#include <memory>
#include <span>
#include <string>

namespace vigil::network_threat {

class CompiledRegex {
public:
    ~CompiledRegex();
    CompiledRegex(const CompiledRegex&) = delete;
    CompiledRegex& operator=(const CompiledRegex&) = delete;
    // True on a match; false on no match or when a limit was hit.
    bool search(std::span<const uint8_t> subject) const;

private:
    friend std::shared_ptr<const CompiledRegex> compile_rule_regex(const std::string& text);
    CompiledRegex() = default;
    void* code_ = nullptr;       // pcre2_code*
    void* match_ctx_ = nullptr;  // pcre2_match_context*
};

// Parses "/pattern/flags" (flags i s m x); throws RuleError with PCRE2's message.
std::shared_ptr<const CompiledRegex> compile_rule_regex(const std::string& text);

}  // namespace vigil::network_threat
