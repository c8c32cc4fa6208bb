#pragma once
// Fixed threads over a bounded queue, for work handed over by a thread that
// must never wait (a fanotify reader, a sensor): try_submit() never blocks and
// refuses when the queue is full or the pool is stopping, so the caller can
// fail open (or count a drop) at once.
//
// stop() drops the tasks not yet started — their destructors run, which is how
// a dropped fanotify permission event still gets its ALLOW — and joins the
// threads. An exception a task throws is counted and passed to on_exception
// (never silently swallowed); the worker keeps running.
//
// For long commands answered on the bus use the SDK's vigil::CommandWorkers
// (<vigil/command_workers.hpp>) instead: it adds replies and cancellation.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::common {

class WorkerPool {
public:
    using OnException = std::function<void(const std::string& what)>;

    WorkerPool(unsigned threads, size_t capacity, OnException on_exception = {});
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    bool try_submit(std::function<void()> task);
    void stop();

    struct Stats {
        uint64_t done = 0, refused = 0, exceptions = 0;
        size_t queued = 0, busy = 0, threads = 0;
    };
    Stats stats() const;
    size_t queued() const { return stats().queued; }

private:
    void run();
    void finish(const std::string* failure);

    const size_t capacity_;
    OnException on_exception_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    Stats stats_;
    std::vector<std::thread> threads_;
};

}  // namespace vigil::common
