// File plumbing shared by the quarantine store's put and restore.
#pragma once
#include <cstdint>
#include <string>

#include "quarantine_meta.hpp"

namespace vigil::core::qio {

// "<what>: <strerror(errno)>"
std::string err_text(const std::string& what);
// Writes all n bytes (EINTR and short writes retried).
bool write_all(int fd, const char* p, size_t n);
// Copies `in` to its end into `out`, computing MD5, SHA-1 and SHA-256 when
// `hashes` is given. Returns the bytes copied; throws std::runtime_error.
uint64_t copy_fd(int in, int out, EntryHashes* hashes);
// Removes an entry directory and the files in it (no subdirectories).
bool remove_tree(const std::string& dir);
// Reads a small file (at most max bytes); false when missing or larger.
bool read_small(const std::string& path, size_t max, std::string& out);

}  // namespace vigil::core::qio
