#pragma once
// Gives freed heap memory back to the system. glibc keeps what the server freed in its
// arenas (one per thread that allocated) and returns only a free stretch at the very top of
// a heap, so after a burst (thousands of TLS connections closing, large bodies refused)
// the process would go on holding its peak for good. Once a period this thread asks the
// allocator how much free memory it holds; from `free_bytes` on it calls malloc_trim, which
// hands the free pages of every arena back (not again until resident memory has grown by
// half that since). Stops (and joins) on destruction.
#include <vigil/common/periodic_thread.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>

namespace vigil::central {

class MemoryTrimmer {
public:
    explicit MemoryTrimmer(uint64_t free_bytes = 32ull << 20,
                           std::chrono::milliseconds period = std::chrono::seconds(1));

    // One look (what the thread does each period); true when it trimmed. Not to be called
    // while the thread may look (tests use a period of hours).
    bool look();
    uint64_t trims() const { return trims_.load(); }

private:
    const uint64_t free_bytes_;
    std::atomic<uint64_t> trims_{0};
    uint64_t resident_after_trim_ = 0;  // touched by look() only: one caller at a time
    common::PeriodicThread thread_;     // last: looks with the members above
};

}  // namespace vigil::central
