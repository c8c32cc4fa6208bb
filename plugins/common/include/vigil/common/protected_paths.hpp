#pragma once
// Protected paths: files and trees no response action may delete, move or
// overwrite (delete_file, quarantine restore, ...).
//   "P"     protects exactly P
//   "P/**"  protects P and everything beneath it
// P may use fnmatch(3) globs (*, ?, [..]) that never cross a "/".
//
// Match a path only after it was resolved without following symbolic links
// (safe_fs.hpp), so the text is the object's real location; hard links to an
// exact protected file are caught by protects_inode().

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::common {

// Collapses repeated slashes and drops a trailing slash ("/a//b/" -> "/a/b").
std::string collapse_slashes(std::string_view path);

class PathRules {
public:
    PathRules() = default;
    explicit PathRules(std::vector<std::string> patterns);
    void add(std::string pattern);
    // The first pattern that protects `path` (absolute), if any.
    std::optional<std::string> match(std::string_view path) const;
    // The exact (glob-free, non-subtree) pattern naming the same inode as
    // `st`, if any: a hard link elsewhere to a protected file.
    std::optional<std::string> protects_inode(const struct stat& st) const;
    const std::vector<std::string>& patterns() const { return patterns_; }

private:
    std::vector<std::string> patterns_;
};

// The system's critical files and trees: the default of every protected-path
// setting (documented in plugins/response/README.md).
const std::vector<std::string>& default_protected_paths();

}  // namespace vigil::common
