#include "exclusions.hpp"

#include <fnmatch.h>

namespace vigil::file_threat {

Exclusions::Exclusions(const std::vector<std::string>& entries) {
    for (const auto& e : entries) add(e);
}

void Exclusions::add(const std::string& entry) {
    if (entry.empty()) return;
    if (entry.find_first_of("*?[") != std::string::npos) {
        masks_.push_back(entry);
        return;
    }
    std::string p = entry;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    prefixes_.push_back(std::move(p));
}

bool Exclusions::excluded(std::string_view path) const {
    for (const auto& p : prefixes_) {
        if (p == "/") return true;
        if (path.size() >= p.size() && path.compare(0, p.size(), p) == 0 &&
            (path.size() == p.size() || path[p.size()] == '/'))
            return true;
    }
    if (!masks_.empty()) {
        std::string s(path);
        for (const auto& m : masks_)
            if (::fnmatch(m.c_str(), s.c_str(), 0) == 0) return true;
    }
    return false;
}

}  // namespace vigil::file_threat
