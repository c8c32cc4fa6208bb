#pragma once
// Command-line arguments of the vigil-central CLI: positionals, --flags, --name VALUE.
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace vigil::central {

class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> opts;
    std::set<std::string> flags;

    std::optional<std::string> opt(const std::string& name) const {
        auto it = opts.find(name);
        return it == opts.end() ? std::nullopt : std::optional(it->second);
    }
    bool flag(const std::string& name) const { return flags.count(name) > 0; }
};

// Throws UsageError for an unknown option or a missing value.
Args parse_args(int argc, char** argv, int first);
// A non-negative number from --name, or `fallback`; UsageError naming the flag otherwise.
double number_flag(const Args& a, const std::string& name, double fallback);
// A duration from --name ("90s", "10m", "24h", "7d"), in seconds, or `fallback`.
int64_t duration_flag(const Args& a, const std::string& name, int64_t fallback);
std::string env(const char* name);

}  // namespace vigil::central
