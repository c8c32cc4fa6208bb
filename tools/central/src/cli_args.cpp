#include "cli_args.hpp"

#include <vigil/common/time.hpp>

#include <cstdlib>

namespace vigil::central {

Args parse_args(int argc, char** argv, int first) {
    static const std::set<std::string> kFlags = {"json", "verbose", "help"};
    static const std::set<std::string> kValued = {
        "server", "ca",   "token", "token-file", "cert",     "key",     "config", "agent",  "type",
        "since",  "until", "text", "limit",      "args",     "timeout", "wait",   "uses",   "expires",
        "role",   "operator", "sign-key", "sign-expires"};
    Args a;
    for (int i = first; i < argc; ++i) {
        std::string s = argv[i];
        if (s.size() > 2 && s.compare(0, 2, "--") == 0) {
            std::string name = s.substr(2);
            std::optional<std::string> value;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            if (kFlags.count(name)) {
                a.flags.insert(name);
            } else if (kValued.count(name)) {
                if (!value) {
                    if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
                    value = argv[++i];
                }
                a.opts[name] = *value;
            } else {
                throw UsageError("unknown option --" + name);
            }
        } else if (s == "-h") {
            a.flags.insert("help");
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

double number_flag(const Args& a, const std::string& name, double fallback) {
    auto v = a.opt(name);
    if (!v) return fallback;
    try {
        size_t used = 0;
        double d = std::stod(*v, &used);
        if (used == v->size() && d >= 0) return d;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " must be a non-negative number, got " + *v);
}

int64_t duration_flag(const Args& a, const std::string& name, int64_t fallback) {
    auto v = a.opt(name);
    if (!v) return fallback;
    auto ns = vigil::common::parse_duration_ns(*v);
    if (!ns || *ns < 1000000000) throw UsageError("--" + name + " must be a duration like 90s, 10m, 24h or 7d, got " + *v);
    return static_cast<int64_t>(*ns / 1000000000);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

}  // namespace vigil::central
