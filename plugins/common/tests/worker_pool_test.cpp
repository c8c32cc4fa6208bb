#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "vigil/common/worker_pool.hpp"

using vigil::common::WorkerPool;

namespace {

// Runs a task on the pool that blocks until the returned promise is set.
std::shared_ptr<std::promise<void>> block(WorkerPool& pool, std::promise<void>& started) {
    auto gate = std::make_shared<std::promise<void>>();
    auto opened = gate->get_future().share();
    REQUIRE(pool.try_submit([&started, opened] {
        started.set_value();
        opened.wait();
    }));
    return gate;
}

}  // namespace

TEST_CASE("worker_pool: runs submitted tasks") {
    WorkerPool pool(2, 16);
    std::atomic<int> ran{0};
    std::promise<void> all;
    for (int i = 0; i < 10; ++i)
        REQUIRE(pool.try_submit([&] {
            if (++ran == 10) all.set_value();
        }));
    REQUIRE(all.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    pool.stop();
    CHECK(pool.stats().done == 10);
    CHECK(pool.stats().refused == 0);
}

TEST_CASE("worker_pool: a full queue refuses at once; stop drops queued tasks and runs their destructors") {
    WorkerPool pool(1, 2);
    std::promise<void> started;
    auto gate = block(pool, started);
    started.get_future().wait();
    auto dropped = std::make_shared<int>(0);
    CHECK(pool.try_submit([dropped] {}));
    CHECK(pool.try_submit([dropped] {}));
    CHECK_FALSE(pool.try_submit([] {}));  // queue of 2 is full
    CHECK(pool.stats().refused == 1);
    CHECK(pool.stats().queued == 2);
    CHECK(pool.stats().busy == 1);
    CHECK(dropped.use_count() == 3);
    std::thread opener([gate] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        gate->set_value();
    });
    pool.stop();
    opener.join();
    CHECK(dropped.use_count() == 1);  // the queued tasks were destroyed, not run
    CHECK(pool.stats().done == 1);
    CHECK_FALSE(pool.try_submit([] {}));  // stopped
}

TEST_CASE("worker_pool: an exception is counted and reported, and the worker goes on") {
    std::promise<std::string> seen;
    WorkerPool pool(1, 4, [&](const std::string& what) { seen.set_value(what); });
    REQUIRE(pool.try_submit([] { throw std::runtime_error("boom"); }));
    auto f = seen.get_future();
    REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(f.get() == "boom");
    std::promise<void> after;
    REQUIRE(pool.try_submit([&] { after.set_value(); }));
    REQUIRE(after.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    pool.stop();
    CHECK(pool.stats().exceptions == 1);
    CHECK(pool.stats().done == 2);
}
