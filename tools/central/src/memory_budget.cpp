#include "memory_budget.hpp"

namespace vigil::central {

bool MemoryBudget::try_acquire(uint64_t bytes) {
    uint64_t cur = used_.load(std::memory_order_relaxed);
    do {
        if (bytes > limit_ || cur > limit_ - bytes) return false;
    } while (!used_.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
    return true;
}

void MemoryBudget::release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

bool MemoryReservation::ensure(uint64_t total) {
    if (total <= held_) return true;
    if (budget_ && !budget_->try_acquire(total - held_)) return false;
    held_ = total;
    return true;
}

void MemoryReservation::reset() {
    if (budget_ && held_) budget_->release(held_);
    held_ = 0;
}

}  // namespace vigil::central
