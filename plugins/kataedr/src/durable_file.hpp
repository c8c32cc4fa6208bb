// Crash-safe small-file helpers: write to a temporary, fsync, rename, fsync
// the directory, so a reader sees the old or the new content, never a torn one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil::kataedr {

// Throws std::runtime_error naming the path and errno text.
void write_file_durably(const std::string& path, std::string_view content);
std::optional<std::string> read_small_file(const std::string& path, size_t max_size = 64u << 20);
void fsync_directory(const std::string& dir);

}  // namespace vigil::kataedr
