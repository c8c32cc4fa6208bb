#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "inode_key.hpp"

namespace vigil::file_threat {

// Identity and version of a file's content as the kernel reports it.
struct FileStamp {
    uint64_t dev = 0, ino = 0;
    int64_t mtime_sec = 0, mtime_nsec = 0, ctime_sec = 0, ctime_nsec = 0;
    uint64_t size = 0;
    static FileStamp of(const struct stat& st);
    bool same_version(const FileStamp& o) const {
        return mtime_sec == o.mtime_sec && mtime_nsec == o.mtime_nsec && ctime_sec == o.ctime_sec &&
               ctime_nsec == o.ctime_nsec && size == o.size;
    }
};

struct CachedVerdict {
    bool infected = false;    // deny every access
    bool prevented = false;   // on the execution prevention list: deny exec
    std::string summary;      // detection name, for logs
};

// Scan verdicts keyed by (device, inode) and valid only for the same
// (mtime, ctime, size) and the same engine generation (rules / prevention list
// version). Bounded, least-recently-used eviction. Thread-safe.
class VerdictCache {
public:
    explicit VerdictCache(size_t capacity) : capacity_(capacity) {}

    std::optional<CachedVerdict> lookup(const FileStamp& stamp, uint64_t generation);
    void store(const FileStamp& stamp, uint64_t generation, CachedVerdict verdict);
    // Drops the entry of a modified file (close-after-write).
    void invalidate(uint64_t dev, uint64_t ino);
    void clear();

    size_t size() const;
    size_t capacity() const { return capacity_; }
    uint64_t hits() const { return hits_.load(); }
    uint64_t misses() const { return misses_.load(); }

private:
    using Key = InodeKey;
    struct Entry {
        FileStamp stamp;
        uint64_t generation;
        CachedVerdict verdict;
        std::list<Key>::iterator lru;
    };
    const size_t capacity_;
    mutable std::mutex mu_;
    std::unordered_map<Key, Entry, InodeKeyHash> map_;
    std::list<Key> lru_;  // front = most recently used
    std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace vigil::file_threat
