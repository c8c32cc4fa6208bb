#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace file_threat {

// Fixed threads over a bounded queue. try_submit never blocks: a full queue is
// the caller's signal to fail open. stop() drops tasks not yet started (their
// destructors run, which is how a dropped permission event still gets its
// ALLOW) and joins the threads.
class WorkerPool {
public:
    WorkerPool(unsigned threads, size_t capacity);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    bool try_submit(std::function<void()> task);
    void stop();
    size_t queued() const;

private:
    void run();
    const size_t capacity_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace file_threat
