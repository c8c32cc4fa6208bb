#include "path_rules.hpp"

#include <fnmatch.h>

namespace vigil::response {

std::string collapse_slashes(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    for (char c : path) {
        if (c == '/' && !out.empty() && out.back() == '/') continue;
        out.push_back(c);
    }
    if (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

PathRules::PathRules(std::vector<std::string> patterns) {
    for (auto& p : patterns) add(std::move(p));
}

void PathRules::add(std::string pattern) {
    if (pattern.empty()) return;
    patterns_.push_back(std::move(pattern));
}

std::optional<std::string> PathRules::match(std::string_view raw_path) const {
    const std::string path = collapse_slashes(raw_path);
    for (const auto& pattern : patterns_) {
        const bool subtree = pattern.size() >= 3 && pattern.compare(pattern.size() - 3, 3, "/**") == 0;
        if (!subtree) {
            if (::fnmatch(collapse_slashes(pattern).c_str(), path.c_str(), FNM_PATHNAME) == 0) return pattern;
            continue;
        }
        std::string base = collapse_slashes(pattern.substr(0, pattern.size() - 3));
        if (base.empty()) return pattern;  // "/**": everything
        // P/** matches when P matches the path itself or any of its ancestors.
        for (size_t end = 1; end <= path.size(); ++end) {
            if (end != path.size() && path[end] != '/') continue;
            std::string prefix = path.substr(0, end);
            if (::fnmatch(base.c_str(), prefix.c_str(), FNM_PATHNAME) == 0) return pattern;
        }
    }
    return std::nullopt;
}

}  // namespace vigil::response
