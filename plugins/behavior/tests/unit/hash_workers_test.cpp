// The bounded worker pool and the ordered output: the parts that keep sensor threads
// from ever waiting on a file a user controls.
#include "process/completion.hpp"
#include "process/hash_workers.hpp"
#include "process/proc_reader.hpp"
#include "ordered_output.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

using namespace vigil::behavior;

namespace {

// A gate a job can block on until the test opens it (a filesystem that never answers).
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    void wait() {
        std::unique_lock l(mu);
        cv.wait(l, [&] { return open; });
    }
    void release() {
        std::lock_guard g(mu);
        open = true;
        cv.notify_all();
    }
};

bool eventually(const std::function<bool()>& pred, double seconds = 5) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
}

}  // namespace

TEST_CASE("hash workers: a full queue refuses at once instead of waiting") {
    auto gate = std::make_shared<Gate>();
    HashWorkers w(HashWorkers::Options{1, 2, 60ull * 1000000000ull, 0}, nullptr);
    CHECK(w.submit(1, [gate] { gate->wait(); }));  // runs and blocks
    REQUIRE(eventually([&] { return w.stats().busy == 1; }));
    CHECK(w.submit(2, [] {}));
    CHECK(w.submit(3, [] {}));
    CHECK_FALSE(w.submit(4, [] {}));  // queue of 2 is full
    CHECK(w.stats().refused == 1);
    gate->release();
    CHECK(eventually([&] { return w.stats().done == 3; }));
}

TEST_CASE("hash workers: a job stuck past the limit is given up and replaced") {
    auto gate = std::make_shared<Gate>();
    std::atomic<uint64_t> stuck_tag{0};
    HashWorkers w(HashWorkers::Options{1, 8, 50ull * 1000000, 2}, [&](uint64_t tag) { stuck_tag = tag; });
    REQUIRE(w.submit(42, [gate] { gate->wait(); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    // The next submission notices the stuck worker, names its tag and starts a new thread,
    // so this job still runs.
    std::atomic<bool> ran{false};
    REQUIRE(w.submit(7, [&] { ran = true; }));
    CHECK(eventually([&] { return ran.load(); }));
    CHECK(stuck_tag == 42);
    CHECK(w.stats().stuck == 1);
    // stop() does not wait for the stuck thread; it ends when its job returns.
    w.stop();
    gate->release();
}

TEST_CASE("ordered output: an event waits for its job, those behind it keep their place") {
    OrderedOutput out;
    std::mutex mu;
    std::vector<int> published;
    auto note = [&](int n) {
        std::lock_guard g(mu);
        published.push_back(n);
    };
    auto job = std::make_shared<Completion>(true, false, monotonic_ns() + 5000ull * 1000000);
    out.submit(nullptr, [&] { note(1); });  // nothing waits: published at once
    CHECK(published.size() == 1);
    out.submit(job, [&] { note(2); });
    out.submit(nullptr, [&] { note(3); });  // behind 2
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    {
        std::lock_guard g(mu);
        CHECK(published.size() == 1);
    }
    job->finish("ab", VIGIL_HASH_OK, std::nullopt);
    out.wake();
    CHECK(eventually([&] {
        std::lock_guard g(mu);
        return published.size() == 3;
    }));
    CHECK(published == std::vector<int>{1, 2, 3});
    CHECK(out.stats().expired == 0);
}

TEST_CASE("ordered output: a job that does not finish delays its event only until the deadline") {
    OrderedOutput out;
    std::atomic<int> published{0};
    auto job = std::make_shared<Completion>(true, false, monotonic_ns() + 50ull * 1000000);
    out.submit(job, [&] { ++published; });
    CHECK(eventually([&] { return published == 1; }));
    CHECK(out.stats().expired == 1);
    vigil::ProcessInfo info;
    job->apply(info);
    CHECK(info.hash_status == VIGIL_HASH_PENDING);
}

TEST_CASE("ordered output: stop publishes what still waits") {
    std::atomic<int> published{0};
    {
        OrderedOutput out;
        auto job = std::make_shared<Completion>(true, false, monotonic_ns() + 60ull * 1000000000);
        out.submit(job, [&] { ++published; });
        out.submit(nullptr, [&] { ++published; });
        out.stop();
    }
    CHECK(published == 2);
}

namespace {

// Submits `n` events behind one whose publication is held open (so nothing drains) and
// returns how many the output took; then lets everything through and checks it all came out.
size_t accepted_while_held(OrderedOutput& out, size_t n) {
    std::promise<void> gate;
    auto opened = gate.get_future().share();
    std::atomic<bool> holding{false};
    std::atomic<size_t> published{0};
    auto job = std::make_shared<Completion>(true, false, monotonic_ns() + 10ull * 1000000);
    out.submit(job, [&] {
        holding = true;
        opened.wait();
        ++published;
    });
    REQUIRE(eventually([&] { return holding.load(); }));
    size_t accepted = 0;
    for (size_t i = 0; i < n; ++i) accepted += out.submit(nullptr, [&] { ++published; }) ? 1 : 0;
    gate.set_value();
    CHECK(eventually([&] { return published == accepted + 1; }));
    return accepted;
}

}  // namespace

TEST_CASE("ordered output: past twice its bound the queue drops events instead of growing") {
    OrderedOutput small(2);
    // The event being published keeps its place: 1 + 3 = 2 x 2 entries at most.
    CHECK(accepted_while_held(small, 10) == 3);
    CHECK(small.stats().dropped == 7);
    OrderedOutput standard;
    const size_t bound = 2 * OrderedOutput::kDefaultMaxQueued;
    CHECK(bound == 32768);
    CHECK(accepted_while_held(standard, bound + 100) == bound - 1);
    CHECK(standard.stats().dropped == 101);
}

TEST_CASE("completion: the full command line is joined once, readable without copying") {
    Completion job(false, true, monotonic_ns() + 5000ull * 1000000);
    CHECK(job.cmdline() == nullptr);
    vigil::ProcessInfo info;
    info.argv = {"sh"};
    info.cmdline = "sh";
    job.apply(info);  // not done: the sensor's copy stays
    CHECK(info.cmdline == "sh");
    std::vector<std::string> argv{"sh", "-c", "echo a b"};
    job.finish("", VIGIL_HASH_NONE, argv);
    REQUIRE(job.cmdline() != nullptr);
    CHECK(*job.cmdline() == join_argv(argv));
    CHECK(job.cmdline() == job.cmdline());  // the same string every time
    job.apply(info);
    CHECK(info.argv == argv);
    CHECK(info.cmdline == join_argv(argv));
    Completion unread(false, true, monotonic_ns());
    unread.finish("", VIGIL_HASH_NONE, std::nullopt);
    CHECK(unread.cmdline() == nullptr);
}
