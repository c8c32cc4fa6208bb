#pragma once
// The agent runs as root and must trust only what root controls: code it
// loads and files that steer it (config, rules, IOC/YARA/hash lists, CA,
// token). A path is trusted when the file and every directory on the way to
// it, symlinks followed, is owned by root and writable by nobody else. A
// root-owned sticky directory (/tmp) may be on the way: nobody else can
// rename or remove entries in it that root owns.
//
// One implementation for the host and every plugin that loads such a file.

#include <optional>
#include <stdexcept>
#include <string>

namespace vigil::common {

enum class PathKind { any, file, directory };

// Thrown by require_trusted_path; the message names the path and the reason.
class UntrustedPath : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// nullopt when `path` is trusted; otherwise why not, naming the offending
// path ("/opt/rules: writable by group or others (mode 0777)"). Relative
// paths are taken from the current directory. A missing path is untrusted.
std::optional<std::string> why_untrusted(const std::string& path, PathKind kind = PathKind::any);

// The developer override: environment VIGIL_INSECURE_DEV_PERMISSIONS=1. It is
// read at every call and meant only for a developer's own build tree.
bool insecure_dev_permissions();

// Throws UntrustedPath("<what> <path>: not trusted: ...") unless the path is
// trusted. With the developer override it does not throw and returns the
// warning the caller must log; "" when the path is trusted.
std::string require_trusted_path(const std::string& path, const std::string& what,
                                 PathKind kind = PathKind::any);

}  // namespace vigil::common
