// Decides whether a file path is reported: under a watched prefix and not
// under an excluded one (prefixes match whole path components).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::behavior {

class PathFilter {
public:
    PathFilter() = default;
    PathFilter(std::vector<std::string> watched, std::vector<std::string> excluded)
        : watched_(normalize(std::move(watched))), excluded_(normalize(std::move(excluded))) {}

    bool allows(std::string_view path) const {
        if (path.empty() || path[0] != '/') return false;
        bool in = false;
        for (const auto& w : watched_)
            if (under(path, w)) {
                in = true;
                break;
            }
        if (!in) return false;
        for (const auto& x : excluded_)
            if (under(path, x)) return false;
        return true;
    }
    void exclude(std::string p) {
        std::vector<std::string> v{std::move(p)};
        for (auto& s : normalize(std::move(v))) excluded_.push_back(std::move(s));
    }
    const std::vector<std::string>& watched() const { return watched_; }
    const std::vector<std::string>& excluded() const { return excluded_; }

    static bool under(std::string_view path, std::string_view prefix) {
        if (prefix == "/") return true;
        if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
        return path.size() == prefix.size() || path[prefix.size()] == '/';
    }

private:
    static std::vector<std::string> normalize(std::vector<std::string> v) {
        for (auto& s : v)
            while (s.size() > 1 && s.back() == '/') s.pop_back();
        return v;
    }
    std::vector<std::string> watched_{"/"};
    std::vector<std::string> excluded_;
};

}  // namespace vigil::behavior
