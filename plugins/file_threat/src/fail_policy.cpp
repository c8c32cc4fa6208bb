#include "fail_policy.hpp"

#include <fnmatch.h>

#include <vigil/enum_table.hpp>

namespace vigil::file_threat {

namespace {
constexpr vigil::EnumName<FailMode> kFailModes[] = {
    {FailMode::Allow, "allow"}, {FailMode::Deny, "deny"}, {FailMode::DenyUntrusted, "deny_untrusted"}};
}  // namespace

std::string_view fail_mode_name(FailMode m) { return vigil::enum_name(kFailModes, m, "?"); }

std::optional<FailMode> parse_fail_mode(std::string_view name) { return vigil::enum_from_name(kFailModes, name); }

const std::vector<std::string>& default_trusted_paths() {
    static const std::vector<std::string> paths = {"/usr/", "/bin/", "/sbin/", "/lib/", "/lib32/",
                                                   "/lib64/", "/libx32/", "/opt/", "/snap/"};
    return paths;
}

bool written_by_root_only(const struct stat& st) {
    return st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

bool is_trusted(const std::vector<std::string>& prefixes, const std::string& path, const struct stat& st) {
    if (!written_by_root_only(st)) return false;
    for (const auto& p : prefixes)
        if (!p.empty() && path.compare(0, p.size(), p) == 0) return true;
    return false;
}

bool FailPolicy::allows(AccessKind kind, const std::string& path, const struct stat& st) const {
    const FailMode m = kind == AccessKind::Exec ? exec : kind == AccessKind::Script ? script : open;
    switch (m) {
    case FailMode::Allow: return true;
    case FailMode::Deny: return false;
    case FailMode::DenyUntrusted: return is_trusted(trusted_paths, path, st);
    }
    return true;
}

const std::vector<std::string>& default_interpreters() {
    static const std::vector<std::string> names = {
        "sh",   "bash", "dash", "zsh",    "ksh*",   "mksh",  "fish", "csh",  "tcsh",    "busybox",
        "python*", "perl*", "ruby*", "php*", "node", "nodejs", "lua*", "tclsh*", "wish*", "Rscript",
        "pwsh", "awk",  "gawk", "mawk",   "nawk",   "expect"};
    return names;
}

bool is_interpreter(const std::vector<std::string>& patterns, std::string_view exe_path) {
    auto slash = exe_path.rfind('/');
    std::string base(slash == std::string_view::npos ? exe_path : exe_path.substr(slash + 1));
    // A replaced executable shows as "/usr/bin/python3.11 (deleted)".
    if (auto sp = base.find(" (deleted)"); sp != std::string::npos) base.resize(sp);
    for (const auto& p : patterns)
        if (::fnmatch(p.c_str(), base.c_str(), 0) == 0) return true;
    return false;
}

}  // namespace vigil::file_threat
