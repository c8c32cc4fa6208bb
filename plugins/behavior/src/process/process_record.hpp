// What the process table knows about one process.
#pragma once

#include <vigil/sdk.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace vigil::behavior {

// Identity of an executable file's content: when all four match, the cached
// SHA-256 is still right (a rewrite changes mtime or size, a replace the inode).
// Identity of an executable's content for the hash cache. ctime is in it because mtime
// alone can be set back (`touch -r`) after a binary is rewritten in place at the same size;
// ctime changes with every write and every timestamp change, and cannot be set from user
// space. 0 means the sensor could not read it (a kernel whose inode layout the eBPF
// program does not know); keys are then compared without it.
struct ExeKey {
    uint64_t dev = 0;
    uint64_t ino = 0;
    int64_t mtime_ns = 0;
    uint64_t size = 0;
    int64_t ctime_ns = 0;
    bool valid() const { return ino != 0; }
    bool operator==(const ExeKey&) const = default;
    // This key as precise as `other`: without ctime when `other` has none.
    ExeKey as_precise_as(const ExeKey& other) const {
        ExeKey k = *this;
        if (other.ctime_ns == 0) k.ctime_ns = 0;
        return k;
    }
};

class Completion;

struct ProcessRecord {
    vigil::ProcessInfo info;       // the context attached to events
    ExeKey exe_key;
    uint64_t exe_fs_magic = 0;      // statfs type of the executable's filesystem (0: unknown)
    bool exe_known_to_sensor = true; // false: the kernel sensor has not seen its hash yet
    // The background job completing `info` (hash, full argv), when one was started.
    std::shared_ptr<const Completion> completion;
    uint64_t start_boottime_ns = 0; // CLOCK_BOOTTIME of the start (for lifetimes)
    bool exited = false;
    bool argv_truncated = false;    // the sensor saw only the start of argv
};

// Stable id of (pid, start time) within a boot.
inline uint64_t make_process_key(int32_t pid, uint64_t start_boottime_ns) {
    // Start times have at least clock-tick resolution; mixing the pid in keeps
    // keys distinct for processes started in the same tick.
    uint64_t x = start_boottime_ns ^ (uint64_t(uint32_t(pid)) * 0x9E3779B97F4A7C15ull);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

}  // namespace vigil::behavior
