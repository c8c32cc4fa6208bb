// The event side of the fanotify monitor: reading events, answering cached
// verdicts, handing scans to the workers, and the watchdog. Every permission
// event gets exactly one answer; when a scan cannot decide, the answer is the
// fail mode of the access kind.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "fanotify_monitor.hpp"
#include "fanotify_pending.hpp"

namespace vigil::file_threat {

namespace {
std::string fd_path(int fd) {
    char link[64], buf[4096];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link, buf, sizeof buf);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

std::string exe_of(pid_t pid) {
    char link[64], buf[4096];
    std::snprintf(link, sizeof link, "/proc/%d/exe", int(pid));
    ssize_t n = ::readlink(link, buf, sizeof buf);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
}
}  // namespace

void FanotifyMonitor::reader_loop() {
    // Every event read carries an open descriptor: a small buffer bounds how
    // many are open at once (a failed descriptor would make the kernel deny a
    // permission event).
    alignas(struct fanotify_event_metadata) char buf[4096];
    struct pollfd fds[2] = {{fan_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    while (!stopping_) {
        beat(reader_beat_ms_);
        int n = ::poll(fds, 2, 1000);  // wakes at least once a second for the heartbeat
        if (n < 0) {
            if (errno == EINTR) continue;
            stats_.errors++;
            break;
        }
        if (fds[1].revents) break;
        if (!(fds[0].revents & POLLIN)) continue;
        for (;;) {
            ssize_t len = ::read(fan_fd_, buf, sizeof buf);
            if (len <= 0) break;  // EAGAIN: drained
            auto* m = reinterpret_cast<struct fanotify_event_metadata*>(buf);
            for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
                if (m->vers != FANOTIFY_METADATA_VERSION) {
                    stats_.errors++;
                    if (m->fd >= 0) ::close(m->fd);
                    continue;
                }
                if (m->mask & FAN_Q_OVERFLOW) {
                    stats_.queue_overflows++;
                    continue;
                }
                if (m->fd < 0) continue;
                handle_event(m->fd, m->mask, m->pid);
            }
        }
    }
}

void FanotifyMonitor::handle_event(int fd, uint64_t mask, pid_t pid) {
    auto p = std::make_shared<Pending>();
    p->mon = this;
    p->ev.fd = fd;  // owned by p from here on: closed (and answered) by its destructor
    p->ev.mask = mask;
    p->ev.pid = pid;

    if (pid == self_pid_) {  // the agent never blocks itself (quarantine, restore, on-demand scans)
        stats_.own_events++;
        if (p->ev.is_permission()) {
            answer(*p, true);
        } else if (::fstat(fd, &p->ev.st) == 0) {
            handler_.invalidate(uint64_t(p->ev.st.st_dev), uint64_t(p->ev.st.st_ino));  // we changed it
        }
        return;
    }
    if (::fstat(fd, &p->ev.st) != 0 || !S_ISREG(p->ev.st.st_mode)) {
        if (p->ev.is_permission()) answer(*p, true);
        return;
    }
    p->ev.stamp = FileStamp::of(p->ev.st);
    if (p->ev.is_permission()) handle_permission(std::move(p));
    else handle_close_write(std::move(p));
}

void FanotifyMonitor::handle_close_write(std::shared_ptr<Pending> p) {
    stats_.close_write_events++;
    handler_.invalidate(p->ev.stamp.dev, p->ev.stamp.ino);
    p->ev.path = fd_path(p->ev.fd);
    if (options_.exclusions.excluded(p->ev.path)) {
        stats_.excluded++;
        return;
    }
    pin_parent(p->ev, true);
    // One asynchronous scan per inode at a time: writes that close while a
    // scan of the same file waits are folded into it (it reads the latest
    // content); writes that close while it runs make it scan once more.
    const InodeKey key{p->ev.stamp.dev, p->ev.stamp.ino};
    {
        std::lock_guard<std::mutex> g(async_mu_);
        auto [it, inserted] = async_.try_emplace(key);
        if (!inserted) {
            if (it->second.started) it->second.again = true;
            stats_.coalesced_writes++;
            return;
        }
    }
    {
        std::lock_guard<std::mutex> g(pending_mu_);
        p->id = next_id_++;
        pending_.emplace(p->id, p);
    }
    const uint64_t id = p->id;
    if (!pool_->try_submit([this, p] { run_close_write(p); })) {
        stats_.queue_full++;
        {
            std::lock_guard<std::mutex> g(async_mu_);
            async_.erase(key);
        }
        finish(id);
    }
}

void FanotifyMonitor::run_close_write(const std::shared_ptr<Pending>& p) {
    const InodeKey key{p->ev.stamp.dev, p->ev.stamp.ino};
    for (;;) {
        {
            std::lock_guard<std::mutex> g(async_mu_);
            auto& state = async_[key];
            state.started = true;
            state.again = false;
        }
        // The file may have changed since the event was read; one with no
        // name left (deleted, or quarantined by a scan of an earlier write)
        // needs no scan.
        if (!p->cancel && ::fstat(p->ev.fd, &p->ev.st) == 0 && p->ev.st.st_nlink > 0) {
            p->ev.stamp = FileStamp::of(p->ev.st);
            pin_parent(p->ev, false);
            handler_.after_write(p->ev, p->cancel);
        }
        std::lock_guard<std::mutex> g(async_mu_);
        auto it = async_.find(key);
        if (it != async_.end() && it->second.again && !p->cancel) continue;
        if (it != async_.end()) async_.erase(it);
        break;
    }
    finish(p->id);
}

// With open_perm off, FAN_OPEN_PERM is watched only for script interpreters:
// true when this open was answered here (not an interpreter, or a file only
// root can write, whose content no unprivileged user chose).
bool FanotifyMonitor::passes_as_non_script(Pending& p) {
    if (options_.open_perm || p.ev.is_exec()) return false;
    if (written_by_root_only(p.ev.st)) {
        stats_.opens_passed++;
        add_kernel_cache_mark(p.ev);  // later opens of the unchanged file stay in the kernel
        answer(p, true);
        return true;
    }
    if (!is_interpreter(options_.interpreters, exe_of(p.ev.pid))) {
        stats_.opens_passed++;
        answer(p, true);
        return true;
    }
    p.ev.script = true;
    stats_.interpreter_opens++;
    return false;
}

bool FanotifyMonitor::fail_allows(const Pending& p) const {
    const std::string path = p.ev.path.empty() ? fd_path(p.ev.fd) : p.ev.path;
    return options_.fail.allows(p.ev.kind(), path, p.ev.st);
}

void FanotifyMonitor::answer_failed(Pending& p) {
    if (!claim(p)) return;
    const bool allow = fail_allows(p);
    if (!allow) stats_.failed_closed++;
    respond(p, allow);
}

void FanotifyMonitor::handle_permission(std::shared_ptr<Pending> p) {
    stats_.permission_events++;
    if (passes_as_non_script(*p)) return;
    const bool exec = p->ev.is_exec();
    if (auto cached = handler_.cached_decision(p->ev.stamp, exec)) {
        if (*cached) {
            stats_.allowed_cached++;
            // Opens of it may have lost their mark (a flush). Not for an exec: the
            // mark covers opens only, and the FAN_OPEN_PERM event the same exec sends
            // next comes here to restore it; re-adding on every exec would cost a
            // fanotify_mark and an fstat per exec.
            if (!exec) add_kernel_cache_mark(p->ev);
            answer(*p, true);
            return;
        }
        p->ev.path = fd_path(p->ev.fd);
        if (!options_.exclusions.excluded(p->ev.path)) {
            stats_.denied_cached++;
            answer(*p, false);
            return;
        }
    }
    if (p->ev.path.empty()) p->ev.path = fd_path(p->ev.fd);
    if (options_.exclusions.excluded(p->ev.path)) {
        stats_.excluded++;
        answer(*p, true);
        return;
    }
    pin_parent(p->ev, true);
    p->deadline = Clock::now() + options_.scan_timeout;
    {
        std::lock_guard<std::mutex> g(pending_mu_);
        p->id = next_id_++;
        pending_.emplace(p->id, p);
    }
    pending_cv_.notify_all();
    const uint64_t id = p->id;
    if (!pool_->try_submit([this, p] {
            if (!p->answered && !p->cancel) {
                stats_.scans++;
                pin_parent(p->ev, false);
                AccessDecision d = handler_.decide(p->ev, p->deadline, p->cancel);
                if (d.allow && !d.failed && d.clean_and_stable && !p->answered) add_kernel_cache_mark(p->ev);
                if (claim(*p)) {
                    // Whoever answers a late scan first (watchdog or worker)
                    // counts it, before the waiting process can go on.
                    if (d.timed_out) stats_.timeouts++;
                    const bool allow = d.failed ? fail_allows(*p) : d.allow;
                    if (!allow) (d.failed ? stats_.failed_closed : stats_.denied)++;
                    respond(*p, allow);
                }
            }
            finish(p->id);
        })) {
        stats_.queue_full++;  // answered now with the fail mode: never make the caller wait
        answer_failed(*p);
        finish(id);
    }
}

void FanotifyMonitor::watchdog_loop() {
    std::unique_lock<std::mutex> lk(pending_mu_);
    while (!stopping_) {
        beat(deadline_beat_ms_);
        const auto now = Clock::now();
        auto next = now + std::chrono::milliseconds(200);  // idle rounds keep the heartbeat going
        for (auto& [id, p] : pending_) {
            if (!p->ev.is_permission() || p->answered) continue;
            if (p->deadline <= now) {
                // The scan ran out of time: answer with the fail mode and count it.
                p->cancel = true;
                if (claim(*p)) {
                    stats_.timeouts++;
                    const bool allow = fail_allows(*p);
                    if (!allow) stats_.failed_closed++;
                    respond(*p, allow);
                }
            } else if (p->deadline < next) {
                next = p->deadline;
            }
        }
        pending_cv_.wait_until(lk, next);
    }
}

}  // namespace vigil::file_threat
