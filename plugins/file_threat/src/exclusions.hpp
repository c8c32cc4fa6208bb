#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::file_threat {

// Paths never scanned. An entry with a wildcard (* ? [) is a glob mask matched
// against the whole path ('*' also crosses '/', so "*.log" matches any .log
// file); any other entry is a path prefix on a component boundary ("/a/b"
// excludes "/a/b" and "/a/b/c", not "/a/bc").
class Exclusions {
public:
    Exclusions() = default;
    explicit Exclusions(const std::vector<std::string>& entries);
    void add(const std::string& entry);
    bool excluded(std::string_view path) const;
    size_t size() const { return prefixes_.size() + masks_.size(); }

private:
    std::vector<std::string> prefixes_;
    std::vector<std::string> masks_;
};

}  // namespace vigil::file_threat
