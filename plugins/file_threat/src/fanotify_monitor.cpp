#include "fanotify_monitor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/fanotify.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace file_threat {

namespace {
constexpr uint64_t kPermMask = FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM;

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string fd_path(int fd) {
    char link[64], buf[4096];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link, buf, sizeof buf);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
}
}  // namespace

bool AccessEvent::is_exec() const { return mask & FAN_OPEN_EXEC_PERM; }
bool AccessEvent::is_permission() const { return mask & kPermMask; }

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
    }
};

FanotifyMonitor::FanotifyMonitor(MonitorOptions options, AccessHandler& handler)
    : options_(std::move(options)), handler_(handler) {}

FanotifyMonitor::~FanotifyMonitor() { stop(); }

void FanotifyMonitor::start() {
    if (running_) return;
    self_pid_ = ::getpid();
    uint64_t mask = 0;
    if (options_.open_perm) mask |= FAN_OPEN_PERM;
    if (options_.exec_perm) mask |= FAN_OPEN_EXEC_PERM;
    if (options_.close_write) mask |= FAN_CLOSE_WRITE;
    if (mask == 0) throw std::runtime_error("on-access scanning has no event to watch (open, exec and write all off)");
    if (options_.mounts.empty() && options_.filesystems.empty())
        throw std::runtime_error("on-access scanning has no mount or filesystem to watch");

    const unsigned cls = (mask & kPermMask) ? FAN_CLASS_CONTENT : FAN_CLASS_NOTIF;
    fan_fd_ = ::fanotify_init(cls | FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS,
                              O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fan_fd_ < 0) throw std::runtime_error(errno_text("fanotify_init (needs CAP_SYS_ADMIN)"));
    auto fail = [&](const std::string& msg) {
        ::close(fan_fd_);
        fan_fd_ = -1;
        marks_.clear();
        throw std::runtime_error(msg);
    };
    for (const auto& m : options_.mounts) {
        if (::fanotify_mark(fan_fd_, FAN_MARK_ADD | FAN_MARK_MOUNT, mask, AT_FDCWD, m.c_str()) != 0)
            fail(errno_text("cannot watch mount '" + m + "'"));
        marks_.push_back("mount:" + m);
    }
    for (const auto& f : options_.filesystems) {
        if (::fanotify_mark(fan_fd_, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, f.c_str()) != 0)
            fail(errno_text("cannot watch filesystem of '" + f + "'"));
        marks_.push_back("filesystem:" + f);
    }
    ensure_descriptor_headroom();
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stop_fd_ < 0) fail(errno_text("eventfd"));

    stopping_ = false;
    pool_ = std::make_unique<vigil::common::WorkerPool>(options_.workers, options_.queue_size);
    watchdog_ = std::thread([this] { watchdog_loop(); });
    reader_ = std::thread([this] { reader_loop(); });
    running_ = true;
}

void FanotifyMonitor::ensure_descriptor_headroom() {
    // Each queued event holds a descriptor; running out of descriptors would
    // turn permission events into denials. Raise the soft limit (process-wide,
    // harmless: only the hard limit is a policy) when it is tight.
    struct rlimit rl;
    const rlim_t want = rlim_t(options_.queue_size) + options_.workers + 4096;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

void FanotifyMonitor::stop() {
    if (!running_.exchange(false)) return;
    if (options_.heartbeat && permission_events()) options_.heartbeat("permission_responder", 0);  // inactive
    stopping_ = true;
    uint64_t one = 1;
    [[maybe_unused]] ssize_t w = ::write(stop_fd_, &one, sizeof one);
    if (reader_.joinable()) reader_.join();

    // Nothing may stay blocked: allow every waiting access now and cancel the
    // scans still running so the workers come back quickly.
    std::map<uint64_t, std::shared_ptr<Pending>> pending;
    {
        std::lock_guard<std::mutex> g(pending_mu_);
        pending.swap(pending_);
    }
    for (auto& [id, p] : pending) {
        p->cancel = true;
        if (p->ev.is_permission()) answer(*p, true);
    }
    pending_cv_.notify_all();
    pool_->stop();  // drops queued tasks (their Pending answers ALLOW) and joins
    pool_.reset();
    if (watchdog_.joinable()) watchdog_.join();
    pending.clear();
    ::close(stop_fd_);
    stop_fd_ = -1;
    {
        std::lock_guard<std::mutex> g(fd_mu_);
        ::close(fan_fd_);  // the kernel allows anything still queued for us
        fan_fd_ = -1;
    }
    marks_.clear();
}

size_t FanotifyMonitor::pending() const {
    std::lock_guard<std::mutex> g(pending_mu_);
    return pending_.size();
}

bool FanotifyMonitor::answer(Pending& p, bool allow) {
    if (!claim(p)) return false;
    respond(p, allow);
    return true;
}

bool FanotifyMonitor::claim(Pending& p) { return !p.answered.exchange(true); }

void FanotifyMonitor::respond(Pending& p, bool allow) {
    struct fanotify_response r {};
    r.fd = p.ev.fd;
    r.response = allow ? FAN_ALLOW : FAN_DENY;
    if (::write(fan_fd_, &r, sizeof r) != ssize_t(sizeof r)) stats_.errors++;
    (allow ? stats_.answered_allow : stats_.answered_deny)++;
    stats_.decision_seconds.observe(std::chrono::duration<double>(Clock::now() - p.received).count());
}

namespace {
int64_t monotonic_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}
}  // namespace

// Each of the two threads that answer permission events stamps its own loop;
// the older stamp is reported, so either thread hanging stops the heartbeat.
void FanotifyMonitor::beat(std::atomic<int64_t>& mine) {
    const int64_t now = monotonic_ms();
    mine.store(now, std::memory_order_relaxed);
    if (!options_.heartbeat || !permission_events() || now - reported_beat_ms_.load() < 1000) return;
    reported_beat_ms_ = now;
    options_.heartbeat("permission_responder", std::min(reader_beat_ms_.load(), deadline_beat_ms_.load()));
}

void FanotifyMonitor::add_kernel_cache_mark(const AccessEvent& ev) {
    if (!options_.kernel_cache) return;
    if (ignore_marks_.load() >= options_.kernel_cache_limit) {
        flush_kernel_cache();
        stats_.kernel_cache_flushes++;
    }
    // An ignore mask without FAN_MARK_IGNORED_SURV_MODIFY is cleared by the
    // kernel on the first modification of the inode, which is exactly the
    // invalidation a clean verdict needs. It must be in place before the
    // access is allowed (the opener may write right after), and a change
    // that slipped in between the scan and the mark drops it again.
    // FAN_MARK_EVICTABLE (Linux 5.19+) lets the kernel drop the mark with the
    // inode under memory pressure instead of pinning every clean inode.
    unsigned flags = FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | (evictable_ ? FAN_MARK_EVICTABLE : 0u);
    if (::fanotify_mark(fan_fd_, flags, kPermMask, ev.fd, nullptr) != 0) {
        if (errno != EINVAL || !evictable_) return;
        evictable_ = false;  // older kernel
        flags &= ~unsigned(FAN_MARK_EVICTABLE);
        if (::fanotify_mark(fan_fd_, flags, kPermMask, ev.fd, nullptr) != 0) return;
    }
    struct stat now;
    if (::fstat(ev.fd, &now) != 0 || !FileStamp::of(now).same_version(ev.stamp)) {
        ::fanotify_mark(fan_fd_, FAN_MARK_REMOVE | FAN_MARK_IGNORED_MASK, kPermMask, ev.fd, nullptr);
        return;
    }
    ignore_marks_++;
    stats_.kernel_cache_marks++;
}

void FanotifyMonitor::flush_kernel_cache() {
    std::lock_guard<std::mutex> g(fd_mu_);  // may come from any thread, even while stopping
    if (fan_fd_ < 0) return;
    // Without MOUNT/FILESYSTEM flags, FLUSH removes only inode marks: our
    // ignore marks, not the mount/filesystem watches.
    ::fanotify_mark(fan_fd_, FAN_MARK_FLUSH, 0, AT_FDCWD, nullptr);
    ignore_marks_ = 0;
}

void FanotifyMonitor::finish(uint64_t id) {
    std::lock_guard<std::mutex> g(pending_mu_);
    pending_.erase(id);
}

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

    if (!p->ev.is_permission()) {
        stats_.close_write_events++;
        handler_.invalidate(p->ev.stamp.dev, p->ev.stamp.ino);
        if (options_.max_file_size && p->ev.stamp.size > options_.max_file_size) {
            stats_.skipped_too_large++;
            return;
        }
        p->ev.path = fd_path(fd);
        if (options_.exclusions.excluded(p->ev.path)) {
            stats_.excluded++;
            return;
        }
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
        if (!pool_->try_submit([this, p, key] {
                for (;;) {
                    {
                        std::lock_guard<std::mutex> g(async_mu_);
                        auto& state = async_[key];
                        state.started = true;
                        state.again = false;
                    }
                    // The file may have changed since the event was read; one
                    // with no name left (deleted, or quarantined by a scan of
                    // an earlier write) needs no scan.
                    if (!p->cancel && ::fstat(p->ev.fd, &p->ev.st) == 0 && p->ev.st.st_nlink > 0) {
                        p->ev.stamp = FileStamp::of(p->ev.st);
                        handler_.after_write(p->ev, p->cancel);
                    }
                    std::lock_guard<std::mutex> g(async_mu_);
                    auto it = async_.find(key);
                    if (it != async_.end() && it->second.again && !p->cancel) continue;
                    if (it != async_.end()) async_.erase(it);
                    break;
                }
                finish(p->id);
            })) {
            stats_.queue_full++;
            {
                std::lock_guard<std::mutex> g(async_mu_);
                async_.erase(key);
            }
            finish(id);
        }
        return;
    }
    handle_permission(std::move(p));
}

void FanotifyMonitor::handle_permission(std::shared_ptr<Pending> p) {
    stats_.permission_events++;
    const bool exec = p->ev.is_exec();
    if (auto cached = handler_.cached_decision(p->ev.stamp, exec)) {
        if (*cached) {
            stats_.allowed_cached++;
            add_kernel_cache_mark(p->ev);  // e.g. after a flush
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
    if (options_.max_file_size && p->ev.stamp.size > options_.max_file_size) {
        stats_.skipped_too_large++;
        answer(*p, true);
        return;
    }
    if (p->ev.path.empty()) p->ev.path = fd_path(p->ev.fd);
    if (options_.exclusions.excluded(p->ev.path)) {
        stats_.excluded++;
        answer(*p, true);
        return;
    }
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
                AccessDecision d = handler_.decide(p->ev, p->deadline, p->cancel);
                if (d.allow && d.clean_and_stable && !p->answered) add_kernel_cache_mark(p->ev);
                if (claim(*p)) {
                    // Whoever answers a late scan first (watchdog or worker)
                    // counts it, before the waiting process can go on.
                    if (d.timed_out) stats_.timeouts++;
                    if (!d.allow) stats_.denied++;
                    respond(*p, d.allow);
                }
            }
            finish(p->id);
        })) {
        stats_.queue_full++;  // fail open rather than make the caller wait
        answer(*p, true);
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
                // The scan ran out of time: let the access through and count it.
                p->cancel = true;
                if (claim(*p)) {
                    stats_.timeouts++;
                    respond(*p, true);
                }
            } else if (p->deadline < next) {
                next = p->deadline;
            }
        }
        pending_cv_.wait_until(lk, next);
    }
}

}  // namespace file_threat
