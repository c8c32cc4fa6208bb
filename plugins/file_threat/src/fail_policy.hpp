// What a waiting access gets when its scan cannot decide (time limit, full
// queue, scan error), per access kind, and which files count as trusted.
//
// A fail-open default is a path an attacker can choose (pad the file, flood
// the queue, make the scan slow); a fail-closed default for everything would
// hang the system. So the default denies only exec of files outside trusted
// system locations: quickly (EPERM), never by waiting.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::file_threat {

enum class FailMode { Allow, Deny, DenyUntrusted };
std::string_view fail_mode_name(FailMode m);
std::optional<FailMode> parse_fail_mode(std::string_view name);

// Which waiting access it is.
enum class AccessKind { Exec, Open, Script };

struct FailPolicy {
    FailMode exec = FailMode::DenyUntrusted;
    FailMode open = FailMode::Allow;
    FailMode script = FailMode::Allow;  // a file opened by a known interpreter
    // Trusted: under one of these prefixes, owned by root and not writable by
    // group or others (an unprivileged user cannot have written it).
    std::vector<std::string> trusted_paths;

    bool allows(AccessKind kind, const std::string& path, const struct stat& st) const;
    bool operator==(const FailPolicy&) const = default;
};

const std::vector<std::string>& default_trusted_paths();

// Root-owned and not group/other-writable: only root can have written it.
bool written_by_root_only(const struct stat& st);
bool is_trusted(const std::vector<std::string>& prefixes, const std::string& path, const struct stat& st);

// Script interpreters by executable base name (fnmatch globs: "python*").
const std::vector<std::string>& default_interpreters();
bool is_interpreter(const std::vector<std::string>& patterns, std::string_view exe_path);

}  // namespace vigil::file_threat
