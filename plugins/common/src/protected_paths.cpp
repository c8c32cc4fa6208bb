#include "vigil/common/protected_paths.hpp"

#include <fnmatch.h>

namespace vigil::common {

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

namespace {
bool is_subtree(const std::string& pattern) {
    return pattern.size() >= 3 && pattern.compare(pattern.size() - 3, 3, "/**") == 0;
}
}  // namespace

std::optional<std::string> PathRules::match(std::string_view raw_path) const {
    const std::string path = collapse_slashes(raw_path);
    for (const auto& pattern : patterns_) {
        if (!is_subtree(pattern)) {
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

std::optional<std::string> PathRules::protects_inode(const struct stat& st) const {
    for (const auto& pattern : patterns_) {
        if (is_subtree(pattern) || pattern.find_first_of("*?[") != std::string::npos) continue;
        struct stat p {};
        if (::lstat(pattern.c_str(), &p) == 0 && S_ISREG(p.st_mode) && p.st_dev == st.st_dev && p.st_ino == st.st_ino)
            return pattern;
    }
    return std::nullopt;
}

const std::vector<std::string>& default_protected_paths() {
    // Glob characters (* ? [) follow fnmatch(3) with FNM_PATHNAME.
    static const std::vector<std::string> paths = {
        "/",
        "/etc/passwd",
        "/etc/shadow",
        "/etc/group",
        "/etc/gshadow",
        "/etc/sudoers",
        "/etc/sudoers.d/**",
        "/etc/fstab",
        "/etc/hosts",
        "/etc/resolv.conf",
        "/etc/nsswitch.conf",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d/**",
        "/etc/ld.so.cache",
        "/etc/ld.so.preload",
        "/etc/pam.d/**",
        "/etc/security/**",
        "/etc/ssh/**",
        "/etc/cron*/**",
        "/var/spool/cron/**",
        "/etc/systemd/**",
        "/etc/vigil/**",
        "/root/**",
        "/boot/**",
        "/bin/**",
        "/sbin/**",
        "/usr/bin/**",
        "/usr/sbin/**",
        "/usr/local/**",
        "/lib/**",
        "/lib32/**",
        "/lib64/**",
        "/libx32/**",
        "/usr/lib/**",
        "/usr/lib32/**",
        "/usr/lib64/**",
        "/usr/libx32/**",
        "/usr/libexec/**",
        "/proc/**",
        "/sys/**",
        "/dev/**",
    };
    return paths;
}

}  // namespace vigil::common
