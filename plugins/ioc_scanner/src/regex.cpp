#include "regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace ioc {

Regex::Regex(const std::string& pattern, bool caseless) : pattern_(pattern) {
    int err = 0;
    PCRE2_SIZE off = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                          PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0), &err, &off,
                          nullptr);
    if (!code_) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        throw std::invalid_argument("invalid regular expression at offset " + std::to_string(off) + ": " +
                                    reinterpret_cast<const char*>(buf));
    }
    pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // the interpreter is used when JIT is unavailable
}

Regex::~Regex() { pcre2_code_free(code_); }

bool Regex::search(std::string_view s) const {
    // One match-data block per thread: matching runs in parallel workers.
    thread_local struct Data {
        pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
        ~Data() { pcre2_match_data_free(md); }
    } data;
    return pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, 0, data.md, nullptr) >= 0;
}

}  // namespace ioc
