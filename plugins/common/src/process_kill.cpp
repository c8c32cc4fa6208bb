#include "vigil/common/process_kill.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <utility>

#include "vigil/common/errno_text.hpp"
#include "vigil/common/time.hpp"

namespace vigil::common {

namespace {

int pidfd_open(pid_t pid) { return int(::syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

PinnedProcess::~PinnedProcess() { close(); }

PinnedProcess::PinnedProcess(PinnedProcess&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), pid_(o.pid_), pin_error_(o.pin_error_), error_(std::move(o.error_)) {}

PinnedProcess& PinnedProcess::operator=(PinnedProcess&& o) noexcept {
    if (this != &o) {
        close();
        fd_ = std::exchange(o.fd_, -1);
        pid_ = o.pid_;
        pin_error_ = o.pin_error_;
        error_ = std::move(o.error_);
    }
    return *this;
}

void PinnedProcess::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

PinnedProcess PinnedProcess::pin(pid_t pid, uint64_t expected_start_ticks, const ProcFs& proc) {
    PinnedProcess p;
    p.pid_ = pid;
    if (pid <= 0) {
        p.pin_error_ = PinError::failed;
        p.error_ = "not a process id: " + std::to_string(pid);
        return p;
    }
    const int fd = pidfd_open(pid);
    if (fd < 0) {
        const int e = errno;
        p.pin_error_ = e == ESRCH ? PinError::gone : PinError::failed;
        p.error_ = e == ESRCH ? "exited" : "cannot open a pidfd: " + errno_text(e);
        return p;
    }
    // The pidfd now names whatever process had the pid at open time; the
    // start time read afterwards tells whether that is still the selected one.
    const auto st = proc.stat(pid);
    if (!st) {
        ::close(fd);
        p.pin_error_ = PinError::gone;
        p.error_ = "exited";
        return p;
    }
    if (expected_start_ticks != 0 && st->start_ticks != expected_start_ticks) {
        ::close(fd);
        p.pin_error_ = PinError::reused;
        p.error_ = "its pid was reused";
        return p;
    }
    p.fd_ = fd;
    return p;
}

int PinnedProcess::signal(int sig) const {
    if (fd_ < 0) return ESRCH;
    return ::syscall(SYS_pidfd_send_signal, fd_, sig, nullptr, 0) == 0 ? 0 : errno;
}

bool PinnedProcess::exited() const {
    if (fd_ < 0) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

size_t wait_for_exit(const std::vector<const PinnedProcess*>& pins, uint64_t timeout_ms,
                     const std::atomic<bool>* cancel) {
    const uint64_t deadline = monotonic_ns() + timeout_ms * 1'000'000;
    for (;;) {
        std::vector<pollfd> fds;
        for (const auto* p : pins)
            if (p && *p && !p->exited()) fds.push_back({p->fd(), POLLIN, 0});
        if (fds.empty()) return 0;
        const uint64_t now = monotonic_ns();
        if (now >= deadline || (cancel && cancel->load())) return fds.size();
        // Short slices so a cancel is seen within 100 ms.
        const uint64_t wait_ms = std::min<uint64_t>((deadline - now + 999'999) / 1'000'000, 100);
        ::poll(fds.data(), fds.size(), int(wait_ms));
    }
}

const char* TerminateEnd::signal_name() const {
    switch (how) {
        case How::sigterm: return "SIGTERM";
        case How::sigkill: return "SIGKILL";
        default: return "";
    }
}

namespace {

using How = TerminateEnd::How;

struct Round {
    std::vector<TerminateEnd>& ends;
    std::vector<bool> term, kill;  // which pins got SIGTERM / SIGKILL
};

// Sends sig to every pin still running; records failures and the gone.
void signal_round(const std::vector<const PinnedProcess*>& pins, Round& r, int sig) {
    auto& sent = sig == SIGKILL ? r.kill : r.term;
    for (size_t i = 0; i < pins.size(); ++i) {
        if (r.ends[i].how != How::still_running) continue;
        const int e = pins[i]->exited() ? ESRCH : pins[i]->signal(sig);
        if (e == 0) {
            sent[i] = true;
        } else if (e == ESRCH) {
            // Gone before this signal: by the SIGTERM, or on its own.
            r.ends[i].how = r.term[i] ? How::sigterm : How::already_gone;
        } else if (!r.term[i]) {
            r.ends[i].how = How::signal_failed;
            r.ends[i].error = e;
        }
    }
}

// Marks the pins that got `sent` and have exited as ended by `how`.
void collect_exits(const std::vector<const PinnedProcess*>& pins, Round& r, const std::vector<bool>& sent,
                   How how) {
    for (size_t i = 0; i < pins.size(); ++i)
        if (r.ends[i].how == How::still_running && sent[i] && pins[i]->exited()) r.ends[i].how = how;
}

}  // namespace

std::vector<TerminateEnd> terminate_pinned(const std::vector<const PinnedProcess*>& pins,
                                           const TerminateOptions& options) {
    std::vector<TerminateEnd> ends(pins.size());
    Round r{ends, std::vector<bool>(pins.size(), false), std::vector<bool>(pins.size(), false)};
    for (size_t i = 0; i < pins.size(); ++i)
        if (!pins[i] || !*pins[i]) ends[i].how = How::already_gone;
    if (options.sigterm_first) {
        signal_round(pins, r, SIGTERM);
        wait_for_exit(pins, options.grace_ms, options.cancel);
        collect_exits(pins, r, r.term, How::sigterm);
    }
    signal_round(pins, r, SIGKILL);
    wait_for_exit(pins, options.kill_wait_ms, nullptr);
    collect_exits(pins, r, r.kill, How::sigkill);
    return ends;
}

}  // namespace vigil::common
