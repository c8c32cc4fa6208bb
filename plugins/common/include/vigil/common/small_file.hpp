#pragma once
// Reading a whole small file (state, configuration, /proc entries) with a
// size bound, so a huge or endless file cannot exhaust memory; and a pipe to
// its end.

#include <cstddef>
#include <optional>
#include <string>

namespace vigil::common {

struct ReadOptions {
    size_t max_bytes = 64u << 20;
    // true: a longer file is cut at max_bytes (right for /proc text);
    // false: it is an error.
    bool truncate = false;
    bool nofollow = false;  // refuse a symlink as the last component
};

// The content, or nullopt when the file does not exist (ENOENT). Throws
// std::system_error naming the path on any other error, and
// std::runtime_error when the file is over the limit (unless truncate).
// Opens O_NONBLOCK so a FIFO planted at the path cannot block the reader.
std::optional<std::string> read_small_file(const std::string& path, const ReadOptions& options = {});

// Like read_small_file with truncate = true, for pseudo files that may vanish:
// "" for any error.
std::string read_file_or_empty(const std::string& path, size_t max_bytes = 65536);

// What a pipe yields until every writer has closed it (a child's output),
// blocking; at most max_bytes are kept and the rest is read and dropped, so
// the writer never blocks on a full pipe. A read error ends it early.
std::string read_until_eof(int fd, size_t max_bytes = 64u << 20);

}  // namespace vigil::common
