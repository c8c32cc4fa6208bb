#include "regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace vigil::sigma {

namespace {

// One match-data block per thread, big enough for the whole-match offsets we
// need; PCRE2 works with fewer ovector slots than the pattern has groups.
pcre2_match_data* thread_match_data() {
    thread_local std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> md(
        pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
    return md.get();
}

// Bounds the work one match may do, so a pathological rule regex costs a
// bounded amount per event instead of stalling the evaluator (an exceeded
// limit counts as "no match").
pcre2_match_context* thread_match_context() {
    thread_local std::unique_ptr<pcre2_match_context, void (*)(pcre2_match_context*)> ctx(
        [] {
            pcre2_match_context* c = pcre2_match_context_create(nullptr);
            if (c != nullptr) {
                pcre2_set_match_limit(c, 200000);
                pcre2_set_depth_limit(c, 10000);
            }
            return c;
        }(),
        &pcre2_match_context_free);
    return ctx.get();
}

}  // namespace

Regex::Regex(std::string_view pattern, Flags flags) {
    uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (flags.caseless) options |= PCRE2_CASELESS;
    if (flags.multiline) options |= PCRE2_MULTILINE;
    if (flags.dotall) options |= PCRE2_DOTALL;
    int err = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &err,
                                     &offset, nullptr);
    if (code == nullptr) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        throw std::invalid_argument("invalid regular expression '" + std::string(pattern) + "': " +
                                    reinterpret_cast<const char*>(msg) + " at offset " + std::to_string(offset));
    }
    jit_ = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    code_ = std::shared_ptr<void>(code, [](void* c) { pcre2_code_free(static_cast<pcre2_code*>(c)); });
}

bool Regex::search(std::string_view text) const {
    auto* code = static_cast<pcre2_code*>(code_.get());
    pcre2_match_data* md = thread_match_data();
    if (md == nullptr) return false;
    pcre2_match_context* ctx = thread_match_context();
    auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    int rc = jit_ ? pcre2_jit_match(code, subject, text.size(), 0, 0, md, ctx)
                  : pcre2_match(code, subject, text.size(), 0, 0, md, ctx);
    // rc == 0 means "matched but ovector too small", still a match.
    return rc >= 0;
}

std::string regex_quote(std::string_view literal) {
    std::string out;
    out.reserve(literal.size() * 2);
    for (char c : literal) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

}  // namespace vigil::sigma
