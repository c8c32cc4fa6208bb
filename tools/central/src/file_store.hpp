#pragma once
// Files uploaded for tasks (get_file): streamed to disk in fixed-size chunks while hashing,
// so memory stays constant whatever the file size; a file becomes visible only after its
// size and SHA-256 match what the agent announced.
#include <atomic>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "storage.hpp"

namespace vigil::central {

class FileStore {
public:
    explicit FileStore(std::string dir);  // creates the directory (0700) if needed

    // Reads `in` to EOF (at most max_bytes; more → ApiError 413), verifies the size when
    // expected_size is given and the SHA-256 (mismatch → ApiError 422). Returns the stored
    // file, `<task>.<random>.bin`: a new name for every upload (the caller removes the file the
    // task no longer refers to).
    TaskFile receive(const std::string& task_id, std::istream& in, const std::string& expected_sha256,
                     std::optional<uint64_t> expected_size, uint64_t max_bytes);
    const std::string& dir() const { return dir_; }
    // Bytes of the stored files: one directory walk at construction, then kept up to date
    // by receive(), so /metrics never walks the directory.
    uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

private:
    std::string dir_;
    std::atomic<uint64_t> bytes_{0};
};

}  // namespace vigil::central
