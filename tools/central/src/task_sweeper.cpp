#include "task_sweeper.hpp"

#include "log_limiter.hpp"
#include "time_spec.hpp"

namespace vigil::central {

TaskSweeper::TaskSweeper(Storage& storage, int64_t expiry_s)
    : storage_(storage), expiry_s_(expiry_s), thread_(std::chrono::seconds(30), [this] { sweep(); }) {}

void TaskSweeper::sweep() {
    try {
        int64_t now = now_ns();
        if (auto n = storage_.expire_tasks(now - expiry_s_ * 1000000000, now))
            log_line("expired " + std::to_string(n) + " tasks");
    } catch (const std::exception& e) {
        log_line(std::string("task expiry: ") + e.what());
    }
}

}  // namespace vigil::central
