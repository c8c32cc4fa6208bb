#include "fanotify_monitor.hpp"

#include "fanotify_pending.hpp"
#include "fs_discovery.hpp"

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

#include <vigil/common/safe_fs.hpp>

namespace vigil::file_threat {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

bool pin_parent(AccessEvent& ev, bool cached_only) {
    if (ev.dir_fd >= 0) return true;
    auto parts = vigil::common::split_path(ev.path);
    if (!parts) return false;
    try {
        auto dir = vigil::common::open_dir_nofollow(parts->parent, nullptr, cached_only);
        struct stat st {};
        if (::fstatat(dir.get(), parts->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != ev.st.st_dev ||
            st.st_ino != ev.st.st_ino)
            return false;  // already renamed or replaced: nothing to pin
        ev.dir_fd = dir.release();
        ev.name = parts->name;
        return true;
    } catch (const vigil::common::SafeFsError&) {
        return false;
    }
}

bool AccessEvent::is_exec() const { return mask & FAN_OPEN_EXEC_PERM; }
bool AccessEvent::is_permission() const { return mask & kPermMask; }
AccessKind AccessEvent::kind() const {
    return is_exec() ? AccessKind::Exec : script ? AccessKind::Script : AccessKind::Open;
}

FanotifyMonitor::FanotifyMonitor(MonitorOptions options, AccessHandler& handler)
    : options_(std::move(options)), handler_(handler) {}

FanotifyMonitor::~FanotifyMonitor() { stop(); }

void FanotifyMonitor::start() {
    if (running_) return;
    self_pid_ = ::getpid();
    uint64_t mask = 0;
    if (options_.open_perm || options_.interpreter_opens) mask |= FAN_OPEN_PERM;
    if (options_.exec_perm) mask |= FAN_OPEN_EXEC_PERM;
    if (options_.close_write) mask |= FAN_CLOSE_WRITE;
    if (mask == 0) throw std::runtime_error("on-access scanning has no event to watch (open, exec and write all off)");
    if (options_.mounts.empty() && options_.filesystems.empty() && !options_.local_filesystems)
        throw std::runtime_error("on-access scanning has no mount or filesystem to watch");

    const unsigned cls = (mask & kPermMask) ? FAN_CLASS_CONTENT : FAN_CLASS_NOTIF;
    fan_fd_ = ::fanotify_init(cls | FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS,
                              O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fan_fd_ < 0) throw std::runtime_error(errno_text("fanotify_init (needs CAP_SYS_ADMIN)"));
    auto fail = [&](const std::string& msg) {
        ::close(fan_fd_);
        fan_fd_ = -1;
        marks_.clear();
        skipped_.clear();
        throw std::runtime_error(msg);
    };
    try {
        add_marks(mask);
    } catch (const std::runtime_error& e) {
        fail(e.what());
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

void FanotifyMonitor::add_marks(uint64_t mask) {
    for (const auto& m : options_.mounts) {
        if (::fanotify_mark(fan_fd_, FAN_MARK_ADD | FAN_MARK_MOUNT, mask, AT_FDCWD, m.c_str()) != 0)
            throw std::runtime_error(errno_text("cannot watch mount '" + m + "'"));
        marks_.push_back("mount:" + m);
    }
    for (const auto& f : options_.filesystems) {
        if (::fanotify_mark(fan_fd_, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, f.c_str()) != 0)
            throw std::runtime_error(errno_text("cannot watch filesystem of '" + f + "'"));
        marks_.push_back("filesystem:" + f);
    }
    if (!options_.local_filesystems) return;
    // Every writable local file system, whatever the configuration names: a
    // mount left out (/dev/shm, /run/user/UID, a new tmpfs) is a place to
    // run from unscanned. One that cannot be marked is reported, not fatal.
    for (const auto& fs : local_filesystems()) {
        const std::string what = fs.mount_point + " (" + fs.fstype + ")";
        if (!fs.skip_reason.empty()) {
            skipped_.push_back(what + ": " + fs.skip_reason);
            continue;
        }
        if (::fanotify_mark(fan_fd_, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, fs.mount_point.c_str()) != 0)
            skipped_.push_back(what + ": " + errno_text("cannot be marked"));
        else
            marks_.push_back("filesystem:" + fs.mount_point);
    }
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
    skipped_.clear();
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
    // Writes through a shared mmap clear no ignore mark; only a file nobody
    // but root can write is safe to leave to the kernel.
    if (!options_.kernel_cache || !written_by_root_only(ev.st)) return;
    if (ignore_marks_.load() >= options_.kernel_cache_limit) {
        flush_kernel_cache();
        stats_.kernel_cache_flushes++;
    }
    // Opens only: exec decisions always come from user space, whose cache
    // key includes mtime and ctime. An ignore mask without
    // FAN_MARK_IGNORED_SURV_MODIFY is cleared by the kernel on the first
    // modification of the inode, which is exactly the invalidation a clean
    // verdict needs. It must be in place before the
    // access is allowed (the opener may write right after), and a change
    // that slipped in between the scan and the mark drops it again.
    // FAN_MARK_EVICTABLE (Linux 5.19+) lets the kernel drop the mark with the
    // inode under memory pressure instead of pinning every clean inode.
    unsigned flags = FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | (evictable_ ? FAN_MARK_EVICTABLE : 0u);
    if (::fanotify_mark(fan_fd_, flags, FAN_OPEN_PERM, ev.fd, nullptr) != 0) {
        if (errno != EINVAL || !evictable_) return;
        evictable_ = false;  // older kernel
        flags &= ~unsigned(FAN_MARK_EVICTABLE);
        if (::fanotify_mark(fan_fd_, flags, FAN_OPEN_PERM, ev.fd, nullptr) != 0) return;
    }
    struct stat now;
    if (::fstat(ev.fd, &now) != 0 || !FileStamp::of(now).same_version(ev.stamp)) {
        ::fanotify_mark(fan_fd_, FAN_MARK_REMOVE | FAN_MARK_IGNORED_MASK, FAN_OPEN_PERM, ev.fd, nullptr);
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

}  // namespace vigil::file_threat
