#define PCRE2_CODE_UNIT_WIDTH 8
#include "rules_regex.hpp"

#include <pcre2.h>

#include "rules.hpp"

namespace vigil::network_threat {

namespace {
constexpr size_t kMaxPattern = 1024;
constexpr uint32_t kMatchLimit = 100000, kDepthLimit = 10000;
}  // namespace

CompiledRegex::~CompiledRegex() {
    pcre2_match_context_free(static_cast<pcre2_match_context*>(match_ctx_));
    pcre2_code_free(static_cast<pcre2_code*>(code_));
}

bool CompiledRegex::search(std::span<const uint8_t> subject) const {
    auto* code = static_cast<pcre2_code*>(code_);
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
    if (!md) return false;
    const int rc = pcre2_match(code, subject.data(), subject.size(), 0, 0, md,
                               static_cast<pcre2_match_context*>(match_ctx_));
    pcre2_match_data_free(md);
    return rc >= 0;
}

std::shared_ptr<const CompiledRegex> compile_rule_regex(const std::string& text) {
    if (text.size() > kMaxPattern)
        throw RuleError("pcre: longer than " + std::to_string(kMaxPattern) + " characters");
    const size_t last = text.rfind('/');
    if (text.size() < 2 || text[0] != '/' || last == 0) throw RuleError("pcre: expected \"/pattern/flags\"");
    const std::string pattern = text.substr(1, last - 1);
    uint32_t options = 0;
    for (char f : text.substr(last + 1)) {
        switch (f) {
            case 'i':
                options |= PCRE2_CASELESS;
                break;
            case 's':
                options |= PCRE2_DOTALL;
                break;
            case 'm':
                options |= PCRE2_MULTILINE;
                break;
            case 'x':
                options |= PCRE2_EXTENDED;
                break;
            default:
                throw RuleError(std::string("pcre: flag '") + f + "' is not supported (i, s, m, x)");
        }
    }
    int err = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                                     &err, &offset, nullptr);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        throw RuleError("pcre: " + std::string(reinterpret_cast<char*>(msg)) + " at offset " +
                        std::to_string(offset));
    }
    std::shared_ptr<CompiledRegex> r(new CompiledRegex);
    r->code_ = code;
    auto* ctx = pcre2_match_context_create(nullptr);
    if (!ctx) throw RuleError("pcre: out of memory");
    pcre2_set_match_limit(ctx, kMatchLimit);
    pcre2_set_depth_limit(ctx, kDepthLimit);
    r->match_ctx_ = ctx;
    return r;
}

}  // namespace vigil::network_threat
