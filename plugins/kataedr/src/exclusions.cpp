#include "exclusions.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fnmatch.h>
#include <pcre2.h>

#include <stdexcept>
#include <string>

namespace kataedr {

struct Exclusions::Compiled {
    std::string glob;
    pcre2_code* regex = nullptr;
    ~Compiled() {
        if (regex) pcre2_code_free(regex);
    }
};

Exclusions::Exclusions(const std::vector<ExclusionRule>& rules) {
    for (size_t i = 0; i < rules.size(); ++i) {
        auto c = std::make_unique<Compiled>();
        c->glob = rules[i].exe_glob;
        if (!rules[i].cmdline_regex.empty()) {
            int err = 0;
            PCRE2_SIZE offset = 0;
            c->regex = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(rules[i].cmdline_regex.data()),
                                     rules[i].cmdline_regex.size(), PCRE2_UTF, &err, &offset, nullptr);
            if (!c->regex) {
                PCRE2_UCHAR msg[256];
                pcre2_get_error_message(err, msg, sizeof msg);
                throw std::invalid_argument("kataedr.exclusions[" + std::to_string(i) +
                                            "].cmdline: invalid regex \"" + rules[i].cmdline_regex +
                                            "\" at offset " + std::to_string(offset) + ": " +
                                            reinterpret_cast<const char*>(msg));
            }
            pcre2_jit_compile(c->regex, PCRE2_JIT_COMPLETE);  // best effort; falls back to the interpreter
        }
        rules_.push_back(std::move(c));
    }
}

Exclusions::~Exclusions() = default;

bool Exclusions::excluded(std::string_view exe, std::string_view cmdline) const {
    if (rules_.empty()) return false;
    std::string exe_z(exe);  // fnmatch needs NUL-terminated strings
    for (const auto& r : rules_) {
        // No FNM_PATHNAME: "*" also matches "/", so "/opt/app/*" covers the subtree.
        if (!r->glob.empty() && fnmatch(r->glob.c_str(), exe_z.c_str(), 0) != 0) continue;
        if (r->regex) {
            pcre2_match_data* md = pcre2_match_data_create_from_pattern(r->regex, nullptr);
            int rc = pcre2_match(r->regex, reinterpret_cast<PCRE2_SPTR>(cmdline.data()), cmdline.size(), 0, 0,
                                 md, nullptr);
            pcre2_match_data_free(md);
            if (rc < 0) continue;  // no match, or an invalid UTF-8 command line
        }
        return true;
    }
    return false;
}

}  // namespace kataedr
