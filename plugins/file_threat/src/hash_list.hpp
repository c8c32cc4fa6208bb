#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "digest.hpp"

namespace vigil::file_threat {

// A set of known-bad MD5, SHA-1 and SHA-256 hashes with their comments.
// Accepted line formats (LOKI / signature-base and coreutils):
//   HASH                  plain
//   HASH;comment          LOKI "hash;comment"
//   HASH  name | HASH *name   md5sum/sha256sum output (the name becomes the comment)
// '#' starts a comment line; blank lines are ignored; hex is case-insensitive;
// the hash type is told by its length (32, 40, 64).
class HashList {
public:
    struct ParseError {
        std::string source;
        size_t line = 0;
        std::string reason;
        std::string message() const;  // "source:line: reason"
    };

    // Adds the hashes of `text`; bad lines are returned (and skipped).
    std::vector<ParseError> add_text(std::string_view text, const std::string& source);
    // Reads a file; a file that cannot be read yields one ParseError at line 0.
    std::vector<ParseError> add_file(const std::string& path);

    // Comment of the matching entry, or nullptr. Each lookup is O(1).
    const std::string* find_md5(const Md5& h) const;
    const std::string* find_sha1(const Sha1& h) const;
    const std::string* find_sha256(const Sha256& h) const;

    size_t md5_count() const { return md5_.size(); }
    size_t sha1_count() const { return sha1_.size(); }
    size_t sha256_count() const { return sha256_.size(); }
    size_t size() const { return md5_.size() + sha1_.size() + sha256_.size(); }
    // Lines accepted, per type (duplicates included).
    size_t md5_lines() const { return md5_lines_; }
    size_t sha1_lines() const { return sha1_lines_; }
    size_t sha256_lines() const { return sha256_lines_; }

private:
    struct KeyHash {
        template <size_t N>
        size_t operator()(const std::array<uint8_t, N>& a) const {
            size_t h;
            static_assert(N >= sizeof h);
            __builtin_memcpy(&h, a.data(), sizeof h);  // already uniformly distributed
            return h;
        }
    };
    size_t md5_lines_ = 0, sha1_lines_ = 0, sha256_lines_ = 0;
    std::unordered_map<Md5, std::string, KeyHash> md5_;
    std::unordered_map<Sha1, std::string, KeyHash> sha1_;
    std::unordered_map<Sha256, std::string, KeyHash> sha256_;
};

}  // namespace vigil::file_threat
