// Internal to the fanotify monitor: one event in flight.
#pragma once

#include <sys/fanotify.h>
#include <unistd.h>

#include "fanotify_monitor.hpp"

namespace vigil::file_threat {

constexpr uint64_t kPermMask = FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM;

struct FanotifyMonitor::Pending {
    FanotifyMonitor* mon = nullptr;
    uint64_t id = 0;
    Clock::time_point received = Clock::now();
    AccessEvent ev;
    Clock::time_point deadline = Clock::time_point::max();
    std::atomic<bool> answered{false};
    std::atomic<bool> cancel{false};
    ~Pending() {
        // Last line of defence: nothing leaves without an answer.
        if (ev.is_permission()) mon->answer(*this, true);
        if (ev.fd >= 0) ::close(ev.fd);
        if (ev.dir_fd >= 0) ::close(ev.dir_fd);
    }
};

}  // namespace vigil::file_threat
