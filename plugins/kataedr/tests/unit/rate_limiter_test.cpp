#include "rate_limiter.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace vigil::kataedr;

namespace {
constexpr uint64_t kSec = 1000000000ull;
}

TEST_CASE("rate limit: 15 % of 3000 per hour is 450 events of one type") {
    RateLimiter rl(true, 3000, 15);
    CHECK(rl.type_limit() == 450);
    uint64_t t = 1000 * kSec;
    int accepted = 0;
    for (int i = 0; i < 600; ++i)
        if (rl.admit("file_modify", t + i) == RateLimiter::Verdict::accept) ++accepted;
    CHECK(accepted == 450);
    CHECK(rl.dropped() == 150);
    CHECK(rl.dropped_by_type().at("file_modify") == 150);
    // Another type still has its own share.
    CHECK(rl.admit("process_start", t + 1000) == RateLimiter::Verdict::accept);
}

TEST_CASE("rate limit: the hourly total caps all types together") {
    RateLimiter rl(true, 100, 15);  // 15 per type, 100 in total
    uint64_t t = 5 * kSec;
    int accepted = 0;
    for (int type = 0; type < 10; ++type)
        for (int i = 0; i < 15; ++i)
            if (rl.admit("t" + std::to_string(type), t) == RateLimiter::Verdict::accept) ++accepted;
    CHECK(accepted == 100);
    CHECK(rl.admit("fresh_type", t) == RateLimiter::Verdict::drop_total_limit);
    CHECK(rl.dropped() == 51);
}

TEST_CASE("rate limit: a new hour resets the budget") {
    RateLimiter rl(true, 10, 50);  // 5 per type
    uint64_t t = 100 * kSec;
    for (int i = 0; i < 5; ++i) CHECK(rl.admit("x", t) == RateLimiter::Verdict::accept);
    CHECK(rl.admit("x", t + 3599 * kSec) == RateLimiter::Verdict::drop_type_threshold);
    CHECK(rl.admit("x", t + 3600 * kSec) == RateLimiter::Verdict::accept);
    CHECK(rl.dropped() == 1);
}

TEST_CASE("rate limit: switched off admits everything") {
    RateLimiter rl(false, 1, 1);
    for (int i = 0; i < 1000; ++i) CHECK(rl.admit("x", 1) == RateLimiter::Verdict::accept);
    CHECK(rl.dropped() == 0);
}

TEST_CASE("rate limit: tiny budgets still allow one event per type") {
    RateLimiter rl(true, 3, 15);  // 15 % of 3 rounds down to 0 -> at least 1
    CHECK(rl.type_limit() == 1);
    CHECK(rl.admit("a", 1) == RateLimiter::Verdict::accept);
    CHECK(rl.admit("a", 1) == RateLimiter::Verdict::drop_type_threshold);
    CHECK(rl.status_json().find("\"dropped_by_type\":{\"a\":1}") != std::string::npos);
}
