// SHA-256 of executables, cached by (device, inode, mtime, size, ctime) so that a
// binary executed 20,000 times is read once, and one rewritten in place is read again
// even when its size and mtime were made to look unchanged.
#pragma once

#include "lru_cache.hpp"
#include "process_record.hpp"

#include <vigil/events.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::behavior {

struct ExeKeyHash {
    size_t operator()(const ExeKey& k) const {
        uint64_t h = k.dev * 0x9E3779B97F4A7C15ull ^ k.ino;
        h ^= uint64_t(k.mtime_ns) + 0x7f4a7c159e3779b9ull + (h << 6) + (h >> 2);
        h ^= k.size + (h << 6) + (h >> 2);
        h ^= uint64_t(k.ctime_ns) + (h << 6) + (h >> 2);
        return size_t(h);
    }
};

// A digest, or why there is none (vigil_hash_status).
struct HashResult {
    std::string sha256;
    uint32_t status = VIGIL_HASH_NONE;
};

class ExeHasher {
public:
    // `deadline_ns`: reading one file may take at most this long (then: timeout).
    ExeHasher(size_t cache_entries, uint64_t max_file_bytes, uint64_t deadline_ns = 5000000000ull)
        : cache_(cache_entries), max_bytes_(max_file_bytes), deadline_ns_(deadline_ns) {}

    // Returns the cached digest for key, or "" when not cached (no I/O).
    std::string cached(const ExeKey& key);

    // Hashes the executable behind `held_fd`, an O_PATH descriptor of /proc/<pid>/exe
    // taken while the process lived (so no path is ever resolved again): refused on FUSE
    // and network filesystems (`fs_magic` as the kernel reported it, or 0: the type is
    // looked up in the mount table of this process, then of `pid`, never by fstatfs,
    // which a FUSE server could leave unanswered), reopened read-only and non-blocking
    // through /proc/self/fd, checked to be a regular file matching `expected` (when
    // valid), read until the deadline. Blocks only the calling worker thread. Does not
    // close `held_fd`.
    HashResult hash_held(int held_fd, const ExeKey& expected, uint64_t fs_magic, int32_t pid = 0);

    // Hashes the regular file at `path` (the last component not followed, opened
    // non-blocking). For files the caller trusts (tests, tools); the sensors use
    // hash_held(). When `expected` is valid and the opened file does not match it, the
    // file changed under us and "" is returned. Files larger than the limit give "".
    std::string hash(const std::string& path, const ExeKey& expected = {});

    // Writes the cache to `path` (through a temporary file and a rename, mode 0600) so
    // that a restarted agent does not read every executable again. Returns "" or the
    // error.
    std::string save(const std::string& path);
    struct LoadResult {
        size_t loaded = 0;
        size_t skipped = 0;  // malformed lines
        std::string error;   // the file as a whole was refused (unreadable, other format)
    };
    // Adds the entries saved by save(). A missing file is not an error (nothing loaded).
    LoadResult load(const std::string& path);

    uint64_t hashed_files() const { return hashed_; }
    uint64_t cache_hits() const { return hits_; }
    // CPU time spent reading and hashing files, in nanoseconds.
    uint64_t hash_cpu_ns() const { return hash_cpu_ns_; }
    // The keys cached now (to tell a sensor which executables need no early look).
    std::vector<ExeKey> keys();
    size_t cache_size() {
        std::lock_guard g(mu_);
        return cache_.size();
    }

private:
    HashResult hash_open(int fd, const ExeKey& expected);
    std::mutex mu_;
    LruCache<ExeKey, std::string, ExeKeyHash> cache_;
    uint64_t max_bytes_;
    uint64_t deadline_ns_;
    uint64_t hashed_ = 0, hits_ = 0;
    std::atomic<uint64_t> hash_cpu_ns_{0};
};

// The cache key of a file from its stat.
ExeKey exe_key_of(const struct stat& st);

// Hex SHA-256 of an open file descriptor's content ("" on read error). With a deadline
// (CLOCK_MONOTONIC ns, 0 = none) reading stops there and `*timed_out` is set.
std::string sha256_fd(int fd, uint64_t deadline_ns = 0, bool* timed_out = nullptr);

// True for filesystems whose reads a user or a remote host can stall: FUSE, NFS, SMB/CIFS,
// Ceph, 9p, AFS and other network filesystems (statfs f_type values).
bool is_remote_fs_magic(uint64_t magic);

}  // namespace vigil::behavior
