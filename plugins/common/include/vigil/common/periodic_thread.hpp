#pragma once
// A thread that runs one function every period until it is destroyed. Destruction wakes it
// at once (no waiting out the period), waits for a run in progress and joins. The function
// must not throw; it runs with no lock held.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace vigil::common {

class PeriodicThread {
public:
    PeriodicThread(std::chrono::milliseconds period, std::function<void()> tick)
        : period_(period), tick_(std::move(tick)), thread_([this] { run(); }) {}
    ~PeriodicThread() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    PeriodicThread(const PeriodicThread&) = delete;
    PeriodicThread& operator=(const PeriodicThread&) = delete;

private:
    void run() {
        std::unique_lock lock(mutex_);
        while (!cv_.wait_for(lock, period_, [&] { return stop_; })) {
            lock.unlock();
            tick_();
            lock.lock();
        }
    }
    const std::chrono::milliseconds period_;
    const std::function<void()> tick_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;  // last: starts once everything it uses exists
};

}  // namespace vigil::common
