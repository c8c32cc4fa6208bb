#pragma once
// Signalling processes without hitting a recycled pid. A process is first
// pinned with a pidfd (pidfd_open) and then re-identified by its start time in
// /proc/PID/stat: only if the pid still names the process that was selected
// does the pin succeed, and every later signal goes through the pidfd, so a
// pid reused after the check can never be hit. Exit is observed by polling the
// pidfd (readable once the process has exited), not by re-reading /proc.
//
//   auto pin = PinnedProcess::pin(pid, start_ticks);       // from ProcFs::stat
//   if (!pin) log(pin.error());                            // gone / reused / EPERM
//   auto ends = terminate_pinned(pins, {.grace_ms = 5000, .cancel = &stop});
//
// One owner for killing processes: plugins that are not the response plugin
// send `response.terminate_process` on the bus instead of signalling
// themselves; this header is what the response plugin (and the sensors that
// must stop a process at once, such as behavior's block mode) are built on.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "proc.hpp"

namespace vigil::common {

class PinnedProcess {
public:
    enum class PinError { none, gone, reused, failed };

    PinnedProcess() = default;
    ~PinnedProcess();
    PinnedProcess(PinnedProcess&& o) noexcept;
    PinnedProcess& operator=(PinnedProcess&& o) noexcept;
    PinnedProcess(const PinnedProcess&) = delete;
    PinnedProcess& operator=(const PinnedProcess&) = delete;

    // Pins pid when its /proc/PID/stat start_ticks (field 22) still equal
    // expected_start_ticks (0 = take whatever process has the pid now).
    static PinnedProcess pin(pid_t pid, uint64_t expected_start_ticks, const ProcFs& proc = ProcFs());

    explicit operator bool() const { return fd_ >= 0; }
    pid_t pid() const { return pid_; }
    int fd() const { return fd_; }
    PinError pin_error() const { return pin_error_; }
    // Why pin() failed: "exited", "its pid was reused", "cannot open a pidfd: <errno>".
    const std::string& error() const { return error_; }

    // Sends sig through the pidfd: 0, or the errno (ESRCH: it has exited).
    int signal(int sig) const;
    // True once the process has exited (the pidfd polls readable); a pinned
    // process that is a zombie counts as exited.
    bool exited() const;
    void close();

private:
    int fd_ = -1;
    pid_t pid_ = 0;
    PinError pin_error_ = PinError::none;
    std::string error_;
};

// Waits until every process in `pins` has exited, timeout_ms passed or
// *cancel became true. Returns how many are still running.
size_t wait_for_exit(const std::vector<const PinnedProcess*>& pins, uint64_t timeout_ms,
                     const std::atomic<bool>* cancel = nullptr);

struct TerminateOptions {
    uint64_t grace_ms = 5000;       // after SIGTERM, before SIGKILL
    uint64_t kill_wait_ms = 5000;   // after SIGKILL, before giving up
    bool sigterm_first = true;      // false: SIGKILL at once
    const std::atomic<bool>* cancel = nullptr;  // cuts the grace period short (SIGKILL still follows)
};

// How one pinned process ended.
struct TerminateEnd {
    enum class How { sigterm, sigkill, still_running, already_gone, signal_failed } how = How::still_running;
    int error = 0;  // errno of a failed signal
    const char* signal_name() const;  // "SIGTERM" / "SIGKILL" for the first two, "" otherwise
};

// SIGTERM (unless !sigterm_first), wait up to grace_ms, SIGKILL to survivors,
// wait up to kill_wait_ms. One result per pin, in order; unpinned entries
// (operator bool false) come back as already_gone.
std::vector<TerminateEnd> terminate_pinned(const std::vector<const PinnedProcess*>& pins,
                                           const TerminateOptions& options);

}  // namespace vigil::common
