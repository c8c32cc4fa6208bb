#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "digest.hpp"

namespace vigil::file_threat {

// Execution prevention: SHA-256 and MD5 hashes of files that must not run. The
// central node sends the whole list each time; it replaces the previous one.
class PreventionList {
public:
    // Parses {"sha256": [hex...], "md5": [hex...]} (either key may be absent;
    // {} clears the list). Throws std::invalid_argument naming the bad entry.
    static PreventionList parse_json(std::string_view json);
    std::string to_json() const;

    // "sha256:<hex>" / "md5:<hex>" of the matching entry, or nullopt.
    std::optional<std::string> match(const Digests& d) const;

    size_t sha256_count() const { return sha256_.size(); }
    size_t md5_count() const { return md5_.size(); }
    bool empty() const { return sha256_.empty() && md5_.empty(); }

    // Atomic replace of `path` (write to a temporary file, then rename).
    void save(const std::string& path) const;
    // Missing file = empty list; a corrupt file throws.
    static PreventionList load(const std::string& path);

private:
    std::set<Sha256> sha256_;
    std::set<Md5> md5_;
};

}  // namespace vigil::file_threat
