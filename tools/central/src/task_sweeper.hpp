#pragma once
// Expires stale tasks in the background (every 30 s): pending or delivered tasks older than
// server.task_expiry_s become "expired". Stops (and joins) on destruction.
#include <vigil/common/periodic_thread.hpp>

#include <cstdint>

#include "storage.hpp"

namespace vigil::central {

class TaskSweeper {
public:
    TaskSweeper(Storage& storage, int64_t expiry_s);

private:
    void sweep();
    Storage& storage_;
    const int64_t expiry_s_;
    common::PeriodicThread thread_;  // last: runs sweep() on the members above
};

}  // namespace vigil::central
