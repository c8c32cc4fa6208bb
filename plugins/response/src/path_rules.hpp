// Protected-path patterns for delete_file.
//   "P"     protects exactly P
//   "P/**"  protects P and everything beneath it
// P may use fnmatch(3) globs (*, ?, [..]) that never cross a "/".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::response {

// Collapses repeated slashes and drops a trailing slash ("/a//b/" -> "/a/b").
std::string collapse_slashes(std::string_view path);

class PathRules {
public:
    PathRules() = default;
    explicit PathRules(std::vector<std::string> patterns);
    void add(std::string pattern);
    // The first pattern that protects `path` (absolute, normalized), if any.
    std::optional<std::string> match(std::string_view path) const;
    const std::vector<std::string>& patterns() const { return patterns_; }

private:
    std::vector<std::string> patterns_;
};

}  // namespace vigil::response
