// Reads what terminate_process needs about processes from /proc.
//
// Start time unit: nanoseconds since the Unix epoch (CLOCK_REALTIME), computed
// as boot time (CLOCK_REALTIME - CLOCK_BOOTTIME, now) + /proc/PID/stat field 22
// (starttime, clock ticks since boot) * 1e9 / sysconf(_SC_CLK_TCK). Its
// resolution is one clock tick (10 ms at USER_HZ 100), so comparisons allow a
// tolerance.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <vigil/common/proc.hpp>

namespace vigil::response {

using common::ProcStat;
using common::parse_proc_stat;

struct ProcessFacts {
    ProcStat stat;
    uint64_t start_time_ns = 0;  // see the header comment
    std::string exe;             // readlink of /proc/PID/exe, without " (deleted)"
    bool exe_deleted = false;
    bool exe_known = false;  // false for kernel threads and unreadable links
    uint64_t exe_dev = 0, exe_ino = 0;
    uint32_t uid = 0;
    bool kernel_thread() const;
};

// Reads one process; nullopt when it does not exist (or vanished).
std::optional<ProcessFacts> read_process(pid_t pid);
// All numeric entries of /proc.
std::vector<pid_t> list_pids();
using common::boot_time_ns;
using common::pid_max;
using common::ticks_to_epoch_ns;

}  // namespace vigil::response
