#include "memory_trimmer.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "log_limiter.hpp"

namespace vigil::central {
namespace {

// Resident bytes of this process (second field of /proc/self/statm, in pages); 0 if unknown.
uint64_t resident_bytes() {
    FILE* f = std::fopen("/proc/self/statm", "re");
    if (!f) return 0;
    unsigned long long size = 0, resident = 0;
    int n = std::fscanf(f, "%llu %llu", &size, &resident);
    std::fclose(f);
    return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace

MemoryTrimmer::MemoryTrimmer(uint64_t free_bytes, std::chrono::milliseconds period)
    : free_bytes_(free_bytes), thread_(period, [this] { look(); }) {}

bool MemoryTrimmer::look() {
    // fordblks: bytes in free chunks of all arenas. It stays the same after a trim (the
    // chunks stay free, only their pages go), so a new trim also needs resident memory to
    // have grown by half the threshold since the last one: freed pages were used again.
    // Sanitizers' allocators report 0 here, so they are never trimmed.
    const uint64_t free_heap = mallinfo2().fordblks;
    if (free_heap < free_bytes_) return false;
    const uint64_t before = resident_bytes();
    if (before < resident_after_trim_ + free_bytes_ / 2) return false;
    malloc_trim(0);
    const uint64_t after = resident_bytes();
    resident_after_trim_ = after;
    ++trims_;
    if (before > after && before - after >= free_bytes_ / 2)
        log_line("memory: gave " + std::to_string((before - after) >> 20) + " MiB of freed heap back to the system (" +
                 std::to_string(free_heap >> 20) + " MiB were free; resident now " + std::to_string(after >> 20) +
                 " MiB)");
    return true;
}

}  // namespace vigil::central
