#include "throttle.hpp"

namespace vigil::central {

int64_t FailureThrottle::retry_after_s(const std::string& address, Clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(address);
    if (it == entries_.end()) return 0;
    auto end = it->second.window_start + opt_.window;
    if (now >= end) {
        entries_.erase(it);
        return 0;
    }
    if (it->second.failures < opt_.max_failures) return 0;
    return std::chrono::duration_cast<std::chrono::seconds>(end - now).count() + 1;
}

void FailureThrottle::record_failure(const std::string& address, Clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(address);
    if (it != entries_.end() && now >= it->second.window_start + opt_.window) {
        entries_.erase(it);
        it = entries_.end();
    }
    if (it == entries_.end()) {
        if (entries_.size() >= opt_.max_addresses) make_room(now);
        it = entries_.emplace(address, Entry{now, 0}).first;
    }
    ++it->second.failures;
}

void FailureThrottle::make_room(Clock::time_point now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (now >= it->second.window_start + opt_.window) {
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
    if (entries_.size() >= opt_.max_addresses) entries_.clear();
}

}  // namespace vigil::central
