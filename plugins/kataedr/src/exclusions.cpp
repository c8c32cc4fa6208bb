#include "exclusions.hpp"

#include <fnmatch.h>

#include <stdexcept>
#include <string>
#include <vigil/common/regex.hpp>

namespace vigil::kataedr {

struct Exclusions::Compiled {
    std::string glob;
    std::unique_ptr<vigil::common::Regex> regex;
};

Exclusions::Exclusions(const std::vector<ExclusionRule>& rules) {
    for (size_t i = 0; i < rules.size(); ++i) {
        auto c = std::make_unique<Compiled>();
        c->glob = rules[i].exe_glob;
        if (!rules[i].cmdline_regex.empty()) {
            try {
                // A command line with invalid UTF-8 never matches (it stays visible), and
                // a search that hits the PCRE2 limits counts as no match for the same reason.
                c->regex = std::make_unique<vigil::common::Regex>(rules[i].cmdline_regex,
                                                                  vigil::common::RegexOptions{.match_invalid_utf = false});
            } catch (const vigil::common::RegexError& e) {
                throw std::invalid_argument("kataedr.exclusions[" + std::to_string(i) + "].cmdline: invalid regex \"" +
                                            rules[i].cmdline_regex + "\" at offset " + std::to_string(e.offset()) +
                                            ": " + e.message());
            }
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
        if (r->regex && !r->regex->search(cmdline)) continue;
        return true;
    }
    return false;
}

}  // namespace vigil::kataedr
