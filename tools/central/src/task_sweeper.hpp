#pragma once
// Expires stale tasks in the background (every 30 s): pending or delivered tasks older than
// server.task_expiry_s become "expired". Stops (and joins) on destruction.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "storage.hpp"

namespace vigil::central {

class TaskSweeper {
public:
    TaskSweeper(Storage& storage, int64_t expiry_s);
    ~TaskSweeper();
    TaskSweeper(const TaskSweeper&) = delete;
    TaskSweeper& operator=(const TaskSweeper&) = delete;

private:
    void run();
    Storage& storage_;
    const int64_t expiry_s_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace vigil::central
