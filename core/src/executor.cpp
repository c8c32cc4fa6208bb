#include "executor.hpp"

#include "log.hpp"

namespace vigil::core {

Executor::Executor(std::string name) : name_(std::move(name)) {}
Executor::~Executor() { stop(); }

void Executor::start() {
    std::lock_guard<std::mutex> g(mu_);
    if (started_) return;
    started_ = true;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void Executor::reopen() {
    std::lock_guard<std::mutex> g(mu_);
    if (!started_) stopping_ = false;
}

void Executor::stop() {
    {
        std::lock_guard<std::mutex> g(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        if (on_executor_thread()) thread_.detach();
        else thread_.join();
    }
    std::lock_guard<std::mutex> g(mu_);
    tasks_.clear();
    timers_.clear();
    due_.clear();
    started_ = false;
}

bool Executor::post(Task t) {
    {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_) return false;
        tasks_.push_back(std::move(t));
    }
    cv_.notify_one();
    return true;
}

uint64_t Executor::add_timer(uint32_t interval_ms, bool repeat, Task t) {
    uint64_t id;
    {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_) return 0;
        id = next_timer_++;
        timers_[id] = Timer{interval_ms, repeat, std::move(t)};
        due_.emplace(Clock::now() + std::chrono::milliseconds(interval_ms), id);
    }
    cv_.notify_one();
    return id;
}

bool Executor::cancel_timer(uint64_t id) {
    std::lock_guard<std::mutex> g(mu_);
    return timers_.erase(id) > 0;  // its `due_` entry is skipped when it comes up
}

size_t Executor::pending() {
    std::lock_guard<std::mutex> g(mu_);
    return tasks_.size();
}

void Executor::run() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!stopping_) {
        if (!tasks_.empty()) {
            Task t = std::move(tasks_.front());
            tasks_.pop_front();
            lk.unlock();
            try {
                t();
            } catch (const std::exception& e) {
                log_error(name_, std::string("executor task threw: ") + e.what());
            } catch (...) {
                log_error(name_, "executor task threw");
            }
            lk.lock();
            continue;
        }
        if (!due_.empty()) {
            auto first = due_.begin();
            if (first->first <= Clock::now()) {
                uint64_t id = first->second;
                due_.erase(first);
                auto it = timers_.find(id);
                if (it == timers_.end()) continue;  // cancelled
                Task t = it->second.task;
                if (it->second.repeat)
                    due_.emplace(Clock::now() + std::chrono::milliseconds(it->second.interval_ms), id);
                else
                    timers_.erase(it);
                lk.unlock();
                try {
                    t();
                } catch (...) {
                    log_error(name_, "timer callback threw");
                }
                lk.lock();
                continue;
            }
            cv_.wait_until(lk, first->first);
        } else {
            cv_.wait(lk);
        }
    }
}

}  // namespace vigil::core
