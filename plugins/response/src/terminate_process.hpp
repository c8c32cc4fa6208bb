// terminate_process core: finds the target processes (by pid with guards
// against pid reuse, by executable path, or by executable SHA-256), then
// sends SIGTERM, waits a grace period and sends SIGKILL to the survivors.
// Signals go through pidfds, so a pid recycled after the check is never hit.
// Blocking: call it from a worker thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil::response {

struct CriticalServices;

struct TerminateSpec {
    std::optional<pid_t> pid;
    std::optional<uint64_t> start_time_ns;  // guard (pid only): ns since the epoch
    std::optional<std::string> exe;         // guard with pid; selector without
    std::optional<std::string> sha256;      // guard with pid; selector without
    bool tree = false;                      // also every descendant
    double grace_s = 5;
    uint32_t start_time_tolerance_ms = 1000;
    uint64_t hash_max_file_size = 200ull * 1024 * 1024;
    double kill_wait_s = 5;  // how long to wait for death after SIGKILL
    pid_t agent_pid = 0;     // never signalled; 0 = this process (tests name another)
    bool force = false;      // also critical system services (never pid 1, the agent, kernel threads)
    const CriticalServices* critical = nullptr;  // nullptr = CriticalServices::defaults()
};

struct ProcessRef {
    pid_t pid = 0;
    pid_t ppid = 0;
    std::string exe;
    std::string comm;
    uint64_t start_time_ns = 0;
    bool descendant = false;  // found through tree, not matched itself
};

struct TerminatedProcess {
    ProcessRef proc;
    std::string signal;  // the signal that ended it: "SIGTERM" or "SIGKILL"
};

struct UnterminatedProcess {
    ProcessRef proc;
    std::string reason;
};

struct TerminateOutcome {
    size_t matched = 0;  // processes selected (before the never-kill rules)
    std::vector<TerminatedProcess> terminated;
    std::vector<UnterminatedProcess> not_terminated;
};

// Throws ActionError when the request itself fails: the pid does not exist,
// a guard does not match, the pid is the agent or pid 1, a critical system
// service without force, nothing matches.
TerminateOutcome terminate_processes(const TerminateSpec& spec, const std::atomic<bool>* cancel);

}  // namespace vigil::response
