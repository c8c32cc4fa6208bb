#include "terminate_process.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>

#include "action_error.hpp"
#include <vigil/common/time.hpp>
#include "critical_services.hpp"
#include "path_rules.hpp"
#include "proc_table.hpp"
#include <vigil/common/digest.hpp>

namespace vigil::response {

namespace {

int64_t mono_ns() { return common::monotonic_ns(); }

ProcessRef ref_of(const ProcessFacts& f, bool descendant) {
    ProcessRef r;
    r.pid = f.stat.pid;
    r.ppid = f.stat.ppid;
    r.exe = f.exe;
    r.comm = f.stat.comm;
    r.start_time_ns = f.start_time_ns;
    r.descendant = descendant;
    return r;
}

// Matches processes against an executable path: by the text of the exe link
// (also for deleted executables) or by the inode the path names now.
class ExeMatcher {
public:
    explicit ExeMatcher(const std::string& path) {
        given_ = collapse_slashes(path);
        char buf[PATH_MAX];
        canonical_ = ::realpath(path.c_str(), buf) ? std::string(buf) : given_;
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0) {
            has_inode_ = true;
            dev_ = st.st_dev;
            ino_ = st.st_ino;
        }
    }
    bool matches(const ProcessFacts& p) const {
        if (!p.exe_known) return false;
        if (p.exe == canonical_ || p.exe == given_) return true;
        return has_inode_ && !p.exe_deleted && p.exe_dev == dev_ && p.exe_ino == ino_;
    }
    const std::string& canonical() const { return canonical_; }

private:
    std::string given_, canonical_;
    bool has_inode_ = false;
    uint64_t dev_ = 0, ino_ = 0;
};

// Hashes executables through /proc/PID/exe (works for deleted files too),
// once per (device, inode).
class ExeHasher {
public:
    ExeHasher(uint64_t max, const std::atomic<bool>* cancel) : max_(max), cancel_(cancel) {}
    // Empty when it cannot be hashed (too large, gone, no permission).
    std::string hash(const ProcessFacts& p) {
        if (!p.exe_known) return {};
        auto key = std::make_pair(p.exe_dev, p.exe_ino);
        if (auto it = cache_.find(key); it != cache_.end() && p.exe_ino != 0) return it->second;
        std::string h;
        try {
            common::DigestOptions o;
            o.max_bytes = max_;
            o.cancel = cancel_;
            h = common::digest_file("/proc/" + std::to_string(p.stat.pid) + "/exe", o).sha256;
        } catch (const common::DigestError&) {
            ++skipped_;
        }
        cache_[key] = h;
        return h;
    }
    size_t skipped() const { return skipped_; }

private:
    uint64_t max_;
    const std::atomic<bool>* cancel_;
    std::map<std::pair<uint64_t, uint64_t>, std::string> cache_;
    size_t skipped_ = 0;
};

struct Target {
    ProcessFacts facts;
    bool descendant = false;
    int pidfd = -1;
    bool signalled = false;
    bool exited = false;
    std::string signal;
};

std::string never_kill_reason(const ProcessFacts& p, pid_t agent) {
    if (p.stat.pid == 1) return "is pid 1 (init)";
    if (p.stat.pid == agent) return "is the agent itself";
    if (p.kernel_thread()) return "is a kernel thread";
    if (p.stat.state == 'Z') return "already exited (a zombie waiting for its parent)";
    return {};
}

int pidfd_open(pid_t pid) { return int(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfd_send(int fd, int sig) { return int(::syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0)); }

// Waits until every signalled, living target exits or the time is up.
void wait_for_exit(std::vector<Target>& targets, double seconds, const std::atomic<bool>* cancel,
                   const char* signal_name) {
    const int64_t deadline = mono_ns() + int64_t(seconds * 1e9);
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<Target*> who;
        for (auto& t : targets)
            if (t.signalled && !t.exited && t.pidfd >= 0) {
                fds.push_back({t.pidfd, POLLIN, 0});
                who.push_back(&t);
            }
        if (fds.empty()) return;
        const int64_t now = mono_ns();
        if (now >= deadline || (cancel && cancel->load())) return;
        int64_t wait_ms = std::min<int64_t>((deadline - now + 999'999) / 1'000'000, 100);
        int rc = ::poll(fds.data(), fds.size(), int(wait_ms));
        if (rc <= 0) continue;
        for (size_t i = 0; i < fds.size(); ++i)
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                who[i]->exited = true;
                who[i]->signal = signal_name;
            }
    }
}

// The selection and signalling of one request.
class Terminator {
public:
    Terminator(const TerminateSpec& spec, const std::atomic<bool>* cancel)
        : spec_(spec), cancel_(cancel), agent_(spec.agent_pid ? spec.agent_pid : ::getpid()),
          hasher_(spec.hash_max_file_size, cancel),
          critical_(spec.critical ? *spec.critical : CriticalServices::defaults()) {
        if (spec.exe) exe_matcher_.emplace(*spec.exe);
    }

    TerminateOutcome run() {
        if (spec_.pid) select_pid();
        else select_matching();
        if (spec_.tree) add_descendants();
        for (auto& t : targets_) send(t, SIGTERM);
        wait_for_exit(targets_, spec_.grace_s, cancel_, "SIGTERM");
        if (spec_.tree && !(cancel_ && cancel_->load())) {
            // Children forked during the grace period.
            size_t before = targets_.size();
            add_descendants();
            for (size_t i = before; i < targets_.size(); ++i) send(targets_[i], SIGTERM);
        }
        for (auto& t : targets_)
            if (t.signalled && !t.exited) send(t, SIGKILL);
        wait_for_exit(targets_, spec_.kill_wait_s, nullptr, "SIGKILL");
        collect();
        return std::move(out_);
    }

private:
    void add_target(const ProcessFacts& f, bool descendant) {
        if (!chosen_.insert(f.stat.pid).second) return;
        if (auto why = never_kill_reason(f, agent_); !why.empty()) {
            out_.not_terminated.push_back({ref_of(f, descendant), why});
            return;
        }
        if (auto service = critical_.match(f); !service.empty() && !spec_.force) {
            out_.not_terminated.push_back(
                {ref_of(f, descendant), "is a critical system service (" + service + "); pass force to terminate it"});
            return;
        }
        Target t;
        t.facts = f;
        t.descendant = descendant;
        targets_.push_back(std::move(t));
    }

    void check_guards(const ProcessFacts& f) {
        const std::string pid = std::to_string(f.stat.pid);
        if (spec_.start_time_ns) {
            const uint64_t actual = f.start_time_ns, expected = *spec_.start_time_ns;
            const uint64_t diff = actual > expected ? actual - expected : expected - actual;
            if (diff > uint64_t(spec_.start_time_tolerance_ms) * 1'000'000)
                throw ActionError("refused: pid " + pid + " started at " + std::to_string(actual) +
                                  " ns, not at the expected start_time_ns " + std::to_string(expected) +
                                  " (the pid was probably reused)");
        }
        if (exe_matcher_ && !exe_matcher_->matches(f))
            throw ActionError("refused: pid " + pid + " runs " +
                              (f.exe_known ? f.exe : std::string("an unknown executable")) + ", not the expected " +
                              exe_matcher_->canonical());
        if (spec_.sha256) {
            std::string h = hasher_.hash(f);
            if (h.empty()) throw ActionError("refused: cannot hash the executable of pid " + pid);
            if (h != *spec_.sha256)
                throw ActionError("refused: the executable of pid " + pid + " has SHA-256 " + h +
                                  ", not the expected " + *spec_.sha256);
        }
    }

    void select_pid() {
        const pid_t pid = *spec_.pid;
        auto f = read_process(pid);
        if (!f) throw ActionError("no process with pid " + std::to_string(pid));
        if (pid == 1) throw ActionError("refused: pid 1 (init) is never terminated");
        if (pid == agent_) throw ActionError("refused: pid " + std::to_string(pid) + " is the agent itself");
        if (f->kernel_thread()) throw ActionError("refused: pid " + std::to_string(pid) + " is a kernel thread");
        check_guards(*f);
        if (auto service = critical_.match(*f); !service.empty() && !spec_.force)
            throw ActionError("refused: pid " + std::to_string(pid) + " runs " + f->exe +
                              ", a critical system service (" + service + "); pass force to terminate it");
        out_.matched = 1;
        add_target(*f, false);
    }

    void select_matching() {
        if (!exe_matcher_ && !spec_.sha256) throw ActionError("give a pid, an exe path or a sha256");
        for (pid_t pid : list_pids()) {
            auto f = read_process(pid);
            if (!f || f->kernel_thread() || !f->exe_known) continue;
            if (exe_matcher_ && !exe_matcher_->matches(*f)) continue;
            if (spec_.sha256 && hasher_.hash(*f) != *spec_.sha256) continue;
            ++out_.matched;
            add_target(*f, false);
        }
        if (out_.matched > 0) return;
        std::string what = exe_matcher_ ? "executable " + exe_matcher_->canonical() : std::string();
        if (spec_.sha256) what += std::string(what.empty() ? "" : " and ") + "SHA-256 " + *spec_.sha256;
        std::string extra = hasher_.skipped()
                                ? " (" + std::to_string(hasher_.skipped()) + " executables could not be hashed)"
                                : "";
        throw ActionError("no running process matches " + what + extra);
    }

    void add_descendants() {
        std::map<pid_t, std::vector<ProcessFacts>> children;
        for (pid_t pid : list_pids())
            if (auto f = read_process(pid)) children[f->stat.ppid].push_back(*f);
        std::vector<pid_t> queue;
        for (const auto& t : targets_) queue.push_back(t.facts.stat.pid);
        for (size_t i = 0; i < queue.size(); ++i) {
            for (const auto& c : children[queue[i]]) {
                if (chosen_.count(c.stat.pid)) continue;
                add_target(c, true);
                queue.push_back(c.stat.pid);
            }
        }
    }

    // Pins a target with a pidfd and re-checks it is still the same process.
    bool pin(Target& t) {
        if (t.pidfd >= 0) return true;
        t.pidfd = pidfd_open(t.facts.stat.pid);
        if (t.pidfd < 0) {
            out_.not_terminated.push_back({ref_of(t.facts, t.descendant),
                                           errno == ESRCH ? "exited before it was signalled"
                                                          : "cannot open a pidfd: " + errno_text(errno)});
            t.exited = true;
            return false;
        }
        auto again = read_process(t.facts.stat.pid);
        if (!again || again->stat.start_ticks != t.facts.stat.start_ticks) {
            out_.not_terminated.push_back(
                {ref_of(t.facts, t.descendant), "exited (its pid was reused) before it was signalled"});
            t.exited = true;
            ::close(t.pidfd);
            t.pidfd = -1;
            return false;
        }
        return true;
    }

    void send(Target& t, int sig) {
        if (t.exited || !pin(t)) return;
        if (pidfd_send(t.pidfd, sig) == 0) {
            t.signalled = true;
            return;
        }
        const int e = errno;
        if (t.signalled) {
            // SIGKILL for a process that died after SIGTERM: fine.
            if (e == ESRCH) {
                t.exited = true;
                if (t.signal.empty()) t.signal = "SIGTERM";
            }
            return;
        }
        out_.not_terminated.push_back(
            {ref_of(t.facts, t.descendant),
             e == ESRCH ? std::string("exited before it was signalled")
                        : std::string(sig == SIGTERM ? "SIGTERM" : "SIGKILL") + " failed: " + errno_text(e)});
        t.exited = true;  // nothing more to do with it
        ::close(t.pidfd);
        t.pidfd = -1;
    }

    void collect() {
        for (auto& t : targets_) {
            if (t.signalled && t.exited)
                out_.terminated.push_back({ref_of(t.facts, t.descendant), t.signal.empty() ? "SIGTERM" : t.signal});
            else if (t.signalled)
                out_.not_terminated.push_back({ref_of(t.facts, t.descendant),
                                               "still running " + std::to_string(int(spec_.kill_wait_s)) +
                                                   " s after SIGKILL (uninterruptible sleep?)"});
            if (t.pidfd >= 0) ::close(t.pidfd);
        }
    }

    const TerminateSpec& spec_;
    const std::atomic<bool>* cancel_;
    const pid_t agent_;
    TerminateOutcome out_;
    std::vector<Target> targets_;
    std::set<pid_t> chosen_;
    ExeHasher hasher_;
    std::optional<ExeMatcher> exe_matcher_;
    const CriticalServices& critical_;
};

}  // namespace

TerminateOutcome terminate_processes(const TerminateSpec& spec, const std::atomic<bool>* cancel) {
    return Terminator(spec, cancel).run();
}

}  // namespace vigil::response
