#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <vigil/common/status_metrics.hpp>
#include <vigil/common/worker_pool.hpp>

#include "exclusions.hpp"
#include "fail_policy.hpp"
#include "inode_key.hpp"
#include "scan_engine.hpp"
#include "verdict_cache.hpp"

namespace vigil::file_threat {

// One file access reported by fanotify. `fd` is the kernel's read-only,
// non-notifying descriptor of the file; it stays open until the event is
// answered and every user is done with it.
struct AccessEvent {
    int fd = -1;
    uint64_t mask = 0;
    pid_t pid = 0;
    struct stat st {};
    FileStamp stamp;
    std::string path;
    // The parent directory as it was when the event was read (O_PATH, opened
    // without following links and checked to hold `name` = this inode), so
    // actions work on the judged file even if the path is swapped later; -1
    // when it could not be pinned (actions then resolve the path and verify).
    int dir_fd = -1;
    std::string name;
    bool script = false;  // an open by a known script interpreter
    bool is_exec() const;
    bool is_permission() const;
    AccessKind kind() const;
};

// Pins ev.dir_fd/ev.name from ev.path and ev.st. cached_only: only when the
// lookup needs no I/O (the reader thread must never wait on a file system).
// Returns false when it could not (the event stays unpinned).
bool pin_parent(AccessEvent& ev, bool cached_only);

struct AccessDecision {
    bool allow = true;
    // The scan could not decide (time limit, error): the monitor answers
    // with the fail mode of the access kind instead of `allow`.
    bool failed = false;
    // The file is clean for every access type and did not change while it was
    // scanned: the kernel may skip further permission events for this inode
    // until it is modified (fanotify ignore mark).
    bool clean_and_stable = false;
    // The scan ran out of time (counted as a timeout).
    bool timed_out = false;
};

// The policy side of on-access scanning (scanning, verdicts, actions).
class AccessHandler {
public:
    virtual ~AccessHandler() = default;
    // Reader thread, must be fast: a cached allow/deny, or nullopt to scan.
    virtual std::optional<bool> cached_decision(const FileStamp& stamp, bool exec) = 0;
    // Worker thread: scan a waiting access and act on it.
    virtual AccessDecision decide(const AccessEvent& ev, Clock::time_point deadline,
                                  const std::atomic<bool>& cancel) = 0;
    // Worker thread: a file was closed after writing (asynchronous scan).
    virtual void after_write(const AccessEvent& ev, const std::atomic<bool>& cancel) = 0;
    // Reader thread: the file changed; drop its verdict.
    virtual void invalidate(uint64_t dev, uint64_t ino) = 0;
};

struct MonitorOptions {
    std::vector<std::string> mounts;       // FAN_MARK_MOUNT
    std::vector<std::string> filesystems;  // FAN_MARK_FILESYSTEM
    bool local_filesystems = false;        // FAN_MARK_FILESYSTEM on every writable local file system
    bool open_perm = false;
    // FAN_OPEN_PERM only to scan files that known interpreters open (when
    // open_perm is off): other openers are answered at once.
    bool interpreter_opens = false;
    std::vector<std::string> interpreters;
    FailPolicy fail{FailMode::DenyUntrusted, FailMode::Allow, FailMode::Allow, default_trusted_paths()};
    bool exec_perm = true;
    bool close_write = true;
    unsigned workers = 2;
    unsigned queue_size = 1024;
    std::chrono::milliseconds scan_timeout{5000};
    Exclusions exclusions;
    // Kernel ignore marks for FAN_OPEN_PERM on clean files only root can
    // write (an mmap write, which the kernel does not report, needs write
    // access). Exec decisions never use them.
    bool kernel_cache = true;
    size_t kernel_cache_limit = 100000;  // ignore marks kept before a flush
    // Liveness for vigild's watchdog: called about once a second with
    // ("permission_responder", CLOCK_MONOTONIC ms) while both the reader and
    // the deadline thread keep looping, and with 0 on stop.
    std::function<void(const char* component, int64_t monotonic_ms)> heartbeat;
};

struct MonitorStats {
    std::atomic<uint64_t> permission_events{0}, close_write_events{0}, own_events{0}, allowed_cached{0},
        denied_cached{0}, scans{0}, denied{0}, timeouts{0}, excluded{0}, queue_full{0},
        queue_overflows{0}, coalesced_writes{0}, kernel_cache_marks{0}, kernel_cache_flushes{0}, errors{0},
        failed_closed{0}, interpreter_opens{0}, opens_passed{0};
    // Permission answers given, and the time from reading an event to answering it.
    std::atomic<uint64_t> answered_allow{0}, answered_deny{0};
    vigil::common::Histogram decision_seconds{vigil::common::Histogram::local_latency_bounds()};
};

// fanotify on-access monitor: a reader thread takes events, answers cached
// verdicts at once and hands the rest to a worker pool; a watchdog answers
// any permission event not decided by its deadline, and a full queue is
// answered at once, both with the fail mode of the access kind (FailPolicy).
// The agent's own process is never blocked. stop() answers everything pending
// with ALLOW before closing; if the process dies, the kernel releases all
// pending events when the descriptor closes.
class FanotifyMonitor {
public:
    FanotifyMonitor(MonitorOptions options, AccessHandler& handler);
    ~FanotifyMonitor();
    FanotifyMonitor(const FanotifyMonitor&) = delete;
    FanotifyMonitor& operator=(const FanotifyMonitor&) = delete;

    // Throws std::runtime_error naming the failing call and path.
    void start();
    void stop();
    bool running() const { return running_; }
    bool permission_events() const { return options_.open_perm || options_.exec_perm; }

    // Forgets every kernel-side clean verdict (after rules or lists change).
    void flush_kernel_cache();

    const MonitorStats& stats() const { return stats_; }
    std::vector<std::string> marks() const { return marks_; }
    // File systems local_filesystems left out, as "PATH (fstype): reason".
    std::vector<std::string> skipped() const { return skipped_; }
    size_t pending() const;

private:
    struct Pending;
    void reader_loop();
    void watchdog_loop();
    void add_marks(uint64_t mask);
    void handle_event(int fd, uint64_t mask, pid_t pid);
    void handle_close_write(std::shared_ptr<Pending> p);
    void run_close_write(const std::shared_ptr<Pending>& p);
    void handle_permission(std::shared_ptr<Pending> ev);
    bool passes_as_non_script(Pending& p);
    bool fail_allows(const Pending& p) const;  // the fail mode's answer for this access
    void answer_failed(Pending& p);            // claim + answer with the fail mode (counted)
    bool answer(Pending& p, bool allow);  // claim + respond; false when already answered
    bool claim(Pending& p);               // exactly one caller wins the right to answer
    void respond(Pending& p, bool allow);
    void finish(uint64_t id);
    void add_kernel_cache_mark(const AccessEvent& ev);
    void ensure_descriptor_headroom();
    void beat(std::atomic<int64_t>& mine);

    MonitorOptions options_;
    AccessHandler& handler_;
    MonitorStats stats_;
    std::mutex fd_mu_;  // fan_fd_ against a flush from another thread during stop()
    int fan_fd_ = -1;
    int stop_fd_ = -1;
    pid_t self_pid_ = 0;
    std::atomic<bool> running_{false};
    std::atomic<bool> stopping_{false};
    std::vector<std::string> marks_, skipped_;
    std::unique_ptr<vigil::common::WorkerPool> pool_;
    std::thread reader_, watchdog_;

    mutable std::mutex pending_mu_;
    std::condition_variable pending_cv_;
    std::map<uint64_t, std::shared_ptr<Pending>> pending_;
    uint64_t next_id_ = 1;
    struct AsyncScan {
        bool started = false;  // a worker runs it (else it waits in the queue)
        bool again = false;    // written again while it ran: scan once more
    };
    std::mutex async_mu_;
    std::unordered_map<InodeKey, AsyncScan, InodeKeyHash> async_;
    std::atomic<size_t> ignore_marks_{0};
    std::atomic<int64_t> reader_beat_ms_{0}, deadline_beat_ms_{0}, reported_beat_ms_{0};
    std::atomic<bool> evictable_{true};
};

}  // namespace vigil::file_threat
