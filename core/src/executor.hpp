// A plugin's executor: one host-owned thread that runs, in order, the
// plugin's command handlers, timer callbacks, posted work and replies to the
// commands it sent. Keeping them on one thread means a plugin author never has
// to lock between those callbacks.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace vigil::core {

class Executor {
public:
    using Task = std::function<void()>;
    explicit Executor(std::string name);
    ~Executor();
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    void start();
    // Accepts work again after stop() (a restarted plugin reuses its executor).
    void reopen();
    // Stops the thread after the running task; pending work is discarded.
    void stop();
    bool post(Task t);
    // Returns the timer id (> 0), or 0 when stopped.
    uint64_t add_timer(uint32_t interval_ms, bool repeat, Task t);
    bool cancel_timer(uint64_t id);
    bool on_executor_thread() const { return std::this_thread::get_id() == thread_.get_id(); }
    size_t pending();

private:
    using Clock = std::chrono::steady_clock;
    struct Timer {
        uint32_t interval_ms;
        bool repeat;
        Task task;
    };
    void run();

    const std::string name_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Task> tasks_;
    std::multimap<Clock::time_point, uint64_t> due_;
    std::unordered_map<uint64_t, Timer> timers_;
    uint64_t next_timer_ = 1;
    bool stopping_ = false;
    bool started_ = false;
    std::thread thread_;
};

}  // namespace vigil::core
