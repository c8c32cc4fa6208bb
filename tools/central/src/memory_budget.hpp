#pragma once
// A global byte budget for what requests hold in memory (request bodies, parsed telemetry),
// so the sum over all connections stays bounded whatever clients send. A request takes its
// share in steps through a MemoryReservation; when the budget is used up the step fails and
// the request is answered 503 instead of growing the process.
#include <atomic>
#include <cstdint>

namespace vigil::central {

class MemoryBudget {
public:
    explicit MemoryBudget(uint64_t limit_bytes) : limit_(limit_bytes) {}
    MemoryBudget(const MemoryBudget&) = delete;
    MemoryBudget& operator=(const MemoryBudget&) = delete;

    bool try_acquire(uint64_t bytes);
    void release(uint64_t bytes);
    uint64_t used() const { return used_.load(std::memory_order_relaxed); }
    uint64_t limit() const { return limit_; }

private:
    const uint64_t limit_;
    std::atomic<uint64_t> used_{0};
};

// One request's share of a budget; gives everything back when destroyed. Not thread-safe:
// a request is handled by one thread at a time.
class MemoryReservation {
public:
    explicit MemoryReservation(MemoryBudget* budget = nullptr) : budget_(budget) {}
    ~MemoryReservation() { reset(); }
    MemoryReservation(const MemoryReservation&) = delete;
    MemoryReservation& operator=(const MemoryReservation&) = delete;

    // Makes the reservation at least `total` bytes; false (nothing changed) when the budget
    // cannot give that much. Without a budget every request succeeds.
    bool ensure(uint64_t total);
    // Adds `bytes` to the reservation; false when the budget cannot give them.
    bool grow(uint64_t bytes) { return ensure(held_ + bytes); }
    void reset();
    uint64_t held() const { return held_; }

private:
    MemoryBudget* budget_;
    uint64_t held_ = 0;
};

}  // namespace vigil::central
