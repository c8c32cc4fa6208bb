#pragma once
// Per source address throttling of failed authentications (operator tokens, enrollment
// tokens, agent identity refusals): after `max_failures` within `window`, the address is
// answered 429 until the window that holds them has passed. Bounded memory: at most
// `max_addresses` are tracked; when full, entries whose window has passed are dropped, and
// if none has, the table is cleared (an attacker with that many addresses gains nothing a
// fresh start would not give them).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vigil::central {

class FailureThrottle {
public:
    using Clock = std::chrono::steady_clock;
    struct Options {
        uint32_t max_failures = 10;
        std::chrono::seconds window{60};
        size_t max_addresses = 65536;
    };
    FailureThrottle() = default;
    explicit FailureThrottle(Options o) : opt_(o) {}

    // Seconds the address must wait, or 0 when it may try.
    int64_t retry_after_s(const std::string& address, Clock::time_point now = Clock::now());
    void record_failure(const std::string& address, Clock::time_point now = Clock::now());

private:
    struct Entry {
        Clock::time_point window_start;
        uint32_t failures = 0;
    };
    void make_room(Clock::time_point now);

    Options opt_;
    std::mutex mu_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace vigil::central
