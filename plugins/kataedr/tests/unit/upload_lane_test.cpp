#include "upload_lane.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <stdexcept>
#include <vector>

using namespace vigil::kataedr;

namespace {

std::deque<int> queue_of(int n) {
    std::deque<int> q;
    for (int i = 0; i < n; ++i) q.push_back(i);
    return q;
}

}  // namespace

TEST_CASE("settle_sent: done batches leave, failed ones stay first and in order") {
    using R = SendResult;
    auto q = queue_of(5);
    CHECK(settle_sent(q, {R::delivered, R::rejected}));
    CHECK(q == std::deque<int>{2, 3, 4});

    q = queue_of(5);
    CHECK_FALSE(settle_sent(q, {R::delivered, R::failed, R::delivered}));
    CHECK(q == std::deque<int>{1, 3, 4});  // the failed one ahead of everything newer

    q = queue_of(4);
    CHECK_FALSE(settle_sent(q, {R::failed, R::delivered, R::failed}));
    CHECK(q == std::deque<int>{0, 2, 3});

    q = queue_of(2);
    CHECK_FALSE(settle_sent(q, {R::unknown_agent, R::delivered}));  // never resent: kept
    CHECK(q == std::deque<int>{0});

    q = queue_of(1);
    CHECK(settle_sent(q, {R::delivered}));
    CHECK(q.empty());
}

TEST_CASE("upload lane: runs each job on its own thread and channel, errors reach the caller") {
    UploadLane lane(std::make_shared<ChannelConfig>(), nullptr);
    std::thread::id caller = std::this_thread::get_id(), ran_on;
    auto f = lane.submit([&](HttpsChannel&) {
        ran_on = std::this_thread::get_id();
        return SendResult::delivered;
    });
    CHECK(f.get() == SendResult::delivered);
    CHECK(ran_on != caller);
    auto g = lane.submit([](HttpsChannel&) -> SendResult { throw std::runtime_error("boom"); });
    CHECK_THROWS_WITH_AS(g.get(), "boom", std::runtime_error);
    // A job still queued when the lane goes away is run (and fails fast on the aborted
    // channel) rather than left with a future that never completes.
    std::future<SendResult> pending;
    {
        UploadLane short_lived(std::make_shared<ChannelConfig>(), nullptr);
        pending = short_lived.submit([](HttpsChannel&) { return SendResult::failed; });
    }
    CHECK(pending.get() == SendResult::failed);
}
