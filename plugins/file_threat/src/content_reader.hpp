// Reads a file's content for scanning with pread into bounded buffers.
//
// Never mmap: a file truncated by its owner while it is scanned would raise
// SIGBUS in the agent (and every plugin dies with it). pread simply returns
// less; the reader reports that the file changed. A file larger than the
// content limit is read as its head and its tail (half the limit each), so
// padding a file past the limit does not hide it; digests always cover the
// whole file, streamed in fixed chunks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "digest.hpp"

namespace vigil::file_threat {

using Clock = std::chrono::steady_clock;

// A stretch of the file at `offset`.
struct ContentWindow {
    uint64_t offset = 0;
    std::string bytes;
};

struct Content {
    uint64_t file_size = 0;              // as given by the caller (fstat before reading)
    std::vector<ContentWindow> windows;  // the whole file, or its head and tail
    bool partial = false;                // head and tail only
    bool shrank = false;                 // fewer bytes than file_size were there
};

enum class ReadStatus { Ok, TimedOut, Cancelled, Error };

struct ReadLimits {
    uint64_t max_content = 64ull << 20;  // bytes held in memory (0: 1 GiB)
    Clock::time_point deadline = Clock::time_point::max();
    const std::atomic<bool>* cancel = nullptr;
};

// Reads the content windows of `fd` (size from fstat). error set on Error.
ReadStatus read_content(int fd, uint64_t size, const ReadLimits& limits, Content& out, std::string& error);

// MD5, SHA-1 and SHA-256 of the whole file: from the windows when they hold
// it all, else streamed with pread in fixed chunks (deadline and cancel
// checked per chunk).
ReadStatus file_digests(int fd, const Content& content, const ReadLimits& limits, Digests& out, std::string& error);

}  // namespace vigil::file_threat
