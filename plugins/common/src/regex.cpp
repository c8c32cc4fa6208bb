#include "vigil/common/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <atomic>
#include <map>
#include <utility>

namespace vigil::common {
namespace {

std::atomic<uint64_t> g_limit_hits{0};

// One match-data block per thread: only the whole-match offsets are needed, and PCRE2
// works with fewer ovector slots than the pattern has groups.
pcre2_match_data* thread_match_data() {
    thread_local std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> md(
        pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
    return md.get();
}

// One match context per thread and limit pair (patterns of one program share a few pairs).
pcre2_match_context* thread_match_context(uint32_t match_limit, uint32_t depth_limit) {
    using Ctx = std::unique_ptr<pcre2_match_context, void (*)(pcre2_match_context*)>;
    thread_local std::map<std::pair<uint32_t, uint32_t>, Ctx> contexts;
    auto key = std::make_pair(match_limit, depth_limit);
    auto it = contexts.find(key);
    if (it == contexts.end()) {
        Ctx ctx(pcre2_match_context_create(nullptr), &pcre2_match_context_free);
        if (ctx) {
            pcre2_set_match_limit(ctx.get(), match_limit);
            pcre2_set_depth_limit(ctx.get(), depth_limit);
        }
        it = contexts.emplace(key, std::move(ctx)).first;
    }
    return it->second.get();
}

bool is_limit_error(int rc) {
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
           rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

}  // namespace

Regex::Regex(std::string_view pattern, RegexOptions o)
    : pattern_(pattern), match_limit_(o.match_limit), depth_limit_(o.depth_limit), invalid_utf_ok_(o.match_invalid_utf) {
    uint32_t flags = PCRE2_UTF;
    if (o.match_invalid_utf) flags |= PCRE2_MATCH_INVALID_UTF;
    if (o.caseless) flags |= PCRE2_CASELESS;
    if (o.multiline) flags |= PCRE2_MULTILINE;
    if (o.dotall) flags |= PCRE2_DOTALL;
    int err = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), flags, &err, &offset, nullptr);
    if (code == nullptr) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        throw RegexError(reinterpret_cast<const char*>(msg), size_t(offset));
    }
    jit_ = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;  // the interpreter is used without JIT
    code_ = std::shared_ptr<void>(code, [](void* c) { pcre2_code_free(static_cast<pcre2_code*>(c)); });
}

Regex::Result Regex::search_result(std::string_view subject) const {
    auto* code = static_cast<pcre2_code*>(code_.get());
    pcre2_match_data* md = thread_match_data();
    pcre2_match_context* ctx = thread_match_context(match_limit_, depth_limit_);
    if (md == nullptr || ctx == nullptr) return Result::no_match;
    auto s = reinterpret_cast<PCRE2_SPTR>(subject.data());
    // The JIT fast path skips PCRE2's UTF check: only safe when the pattern was compiled
    // for invalid UTF-8; otherwise pcre2_match checks the subject, then runs the JIT code.
    int rc = jit_ && invalid_utf_ok_ ? pcre2_jit_match(code, s, subject.size(), 0, 0, md, ctx)
                                     : pcre2_match(code, s, subject.size(), 0, 0, md, ctx);
    if (rc >= 0) return Result::match;  // 0: matched, ovector too small
    if (is_limit_error(rc)) {
        g_limit_hits.fetch_add(1, std::memory_order_relaxed);
        return Result::limit_exceeded;
    }
    return Result::no_match;
}

uint64_t regex_limit_hits() { return g_limit_hits.load(std::memory_order_relaxed); }

}  // namespace vigil::common
