#include "process_runner.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "action_error.hpp"
#include <vigil/common/time.hpp>

namespace vigil::response {

namespace {

using common::realtime_ns;
int64_t mono_ns() { return common::monotonic_ns(); }

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// Keeps every descriptor we hand to the child at 3 or above, so dup2 onto
// 0..2 in the child can never clobber one of them (vigild may run with
// closed standard descriptors).
int above_stdio(int fd) {
    if (fd < 0 || fd > 2) return fd;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    return moved;
}

struct Identity {
    std::string name, home, shell;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
};

Identity resolve_user(const std::optional<std::string>& user) {
    std::vector<char> buf(16384);
    passwd pw{}, *res = nullptr;
    int rc;
    if (!user) {
        rc = ::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &res);
    } else {
        const std::string& u = *user;
        bool numeric =
            !u.empty() && std::all_of(u.begin(), u.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (numeric) {
            if (u.size() > 10 || std::strtoull(u.c_str(), nullptr, 10) > 0xFFFFFFFEull)
                throw ActionError("user id " + u + " is out of range");
            rc = ::getpwuid_r(uid_t(std::strtoul(u.c_str(), nullptr, 10)), &pw, buf.data(), buf.size(), &res);
        } else {
            rc = ::getpwnam_r(u.c_str(), &pw, buf.data(), buf.size(), &res);
        }
        if (rc == 0 && !res) throw ActionError("unknown user \"" + u + "\"");
    }
    if (rc != 0 || !res) throw ActionError("cannot look up the user: " + errno_text(rc ? rc : ENOENT));
    Identity id;
    id.name = pw.pw_name;
    id.home = pw.pw_dir ? pw.pw_dir : "/";
    id.shell = pw.pw_shell && *pw.pw_shell ? pw.pw_shell : "/bin/sh";
    id.uid = pw.pw_uid;
    id.gid = pw.pw_gid;
    int n = 32;
    for (int attempt = 0; attempt < 8; ++attempt) {
        id.groups.resize(size_t(n));
        int want = n;
        if (::getgrouplist(id.name.c_str(), id.gid, id.groups.data(), &want) >= 0) {
            id.groups.resize(size_t(want));
            return id;
        }
        n = std::max(want, n * 2);
    }
    throw ActionError("cannot list the groups of user " + id.name);
}

std::string find_in_path(const std::string& name, const std::string& path_var) {
    size_t pos = 0;
    while (pos <= path_var.size()) {
        size_t end = path_var.find(':', pos);
        if (end == std::string::npos) end = path_var.size();
        std::string dir = path_var.substr(pos, end - pos);
        pos = end + 1;
        if (dir.empty() || dir.front() != '/') continue;  // relative PATH entries are ignored on purpose
        std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return {};
}

// What the child reports through the exec-error pipe before _exit(127).
struct ChildFailure {
    int stage;
    int err;
};
enum Stage { kStageSetsid = 1, kStageStdio, kStageGroups, kStageGid, kStageUid, kStageChdir, kStageExec };

const char* stage_name(int s) {
    switch (s) {
        case kStageSetsid:
            return "setsid";
        case kStageStdio:
            return "redirecting stdin/stdout/stderr";
        case kStageGroups:
            return "setgroups";
        case kStageGid:
            return "setgid";
        case kStageUid:
            return "setuid";
        case kStageChdir:
            return "chdir";
        case kStageExec:
            return "exec";
    }
    return "start";
}

// Runs in the forked child: only async-signal-safe calls (raw syscalls for
// the credential changes, which in glibc would otherwise try to synchronise
// with threads that do not exist in the child).
[[noreturn]] void child_exec(const char* exe, char* const* argv, char* const* envp, const char* cwd,
                             int null_fd, int out_fd, int err_fd, int report_fd, bool change_ids, uid_t uid,
                             gid_t gid, const gid_t* groups, size_t ngroups, pid_t parent) {
    auto fail = [&](int stage) {
        ChildFailure f{stage, errno};
        ssize_t ignored = ::write(report_fd, &f, sizeof f);
        (void)ignored;
        ::_exit(127);
    };
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // SIGKILL/SIGSTOP just fail
    if (::setsid() < 0) fail(kStageSetsid);
    if (::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) fail(kStageStdio);
    if (change_ids) {
        if (::syscall(SYS_setgroups, ngroups, groups) != 0) fail(kStageGroups);
        if (::syscall(SYS_setresgid, gid, gid, gid) != 0) fail(kStageGid);
        if (::syscall(SYS_setresuid, uid, uid, uid) != 0) fail(kStageUid);
    }
    // If the agent dies abruptly (crash, kill -9), the program dies with it
    // instead of running on unsupervised. Set after the credential change,
    // which clears it; getppid() catches an agent that died before prctl.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (::chdir(cwd) != 0) fail(kStageChdir);
    // Close every inherited descriptor except the report pipe (close-on-exec).
    if (report_fd > 3) ::syscall(SYS_close_range, 3u, unsigned(report_fd - 1), 0u);
    ::syscall(SYS_close_range, unsigned(report_fd + 1), ~0u, 0u);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(exe, argv, envp);
    fail(kStageExec);
    ::_exit(127);  // not reached: fail() exits
}

void kill_group(pid_t pid) {
    if (::kill(-pid, SIGKILL) != 0) ::kill(pid, SIGKILL);
}

void append_capped(CapturedStream& s, const char* data, size_t n, uint64_t cap) {
    s.total_bytes += n;
    if (s.data.size() < cap) {
        size_t room = size_t(cap - s.data.size());
        s.data.append(data, std::min(room, n));
    }
    if (s.total_bytes > cap) s.truncated = true;
}

using Env = std::vector<std::pair<std::string, std::string>>;

// A clean base for the target user, then the extras.
Env build_env(const RunSpec& spec, const Identity& id) {
    Env env = {{"PATH", kDefaultPath}, {"HOME", id.home}, {"USER", id.name}, {"LOGNAME", id.name}, {"SHELL", id.shell}};
    for (const auto& [k, v] : spec.env) {
        auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == k; });
        if (it != env.end())
            it->second = v;
        else
            env.emplace_back(k, v);
    }
    return env;
}

std::string resolve_executable(const std::string& exe, const Env& env) {
    if (exe.find('/') == std::string::npos) {
        std::string path_var = kDefaultPath;
        for (const auto& [k, v] : env)
            if (k == "PATH") path_var = v;
        std::string found = find_in_path(exe, path_var);
        if (found.empty()) throw ActionError("executable \"" + exe + "\" not found in PATH (" + path_var + ")");
        return found;
    }
    struct stat st {};
    if (::stat(exe.c_str(), &st) != 0) throw ActionError("executable " + exe + ": " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) throw ActionError("executable " + exe + " is not a regular file");
    if (::access(exe.c_str(), X_OK) != 0) throw ActionError("executable " + exe + " is not executable");
    return exe;
}

std::string resolve_cwd(const std::string& cwd, const Identity& id) {
    struct stat st {};
    if (cwd.empty())
        return (!id.home.empty() && ::stat(id.home.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) ? id.home : "/";
    if (::stat(cwd.c_str(), &st) != 0) throw ActionError("working directory " + cwd + ": " + errno_text(errno));
    if (!S_ISDIR(st.st_mode)) throw ActionError("working directory " + cwd + " is not a directory");
    return cwd;
}

// /dev/null, stdout, stderr and the exec-report pipe, all above fd 2.
struct ChildPipes {
    Fd null_fd, out_r, out_w, err_r, err_w, rep_r, rep_w;
    ChildPipes() {
        null_fd.reset(above_stdio(::open("/dev/null", O_RDWR | O_CLOEXEC)));
        if (null_fd.get() < 0) throw ActionError("cannot open /dev/null: " + errno_text(errno));
        make(out_r, out_w);
        make(err_r, err_w);
        make(rep_r, rep_w);
    }
    void close_child_ends() {
        out_w.reset();
        err_w.reset();
        rep_w.reset();
        null_fd.reset();
    }

private:
    static void make(Fd& r, Fd& w) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) throw ActionError("pipe: " + errno_text(errno));
        r.reset(above_stdio(p[0]));
        w.reset(above_stdio(p[1]));
        if (r.get() < 0 || w.get() < 0) throw ActionError("cannot set up pipes: " + errno_text(errno));
    }
};

// Forks and execs; everything the child needs is built before: it must not allocate.
pid_t spawn(RunOutcome& out, const Env& env, const Identity& id, bool change_ids, ChildPipes& p) {
    std::vector<char*> argv;
    for (auto& a : out.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    // Block every signal across fork so the child cannot run one of the
    // host's handlers before it has reset them.
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    out.start_ns = realtime_ns();
    const pid_t self = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0)
        child_exec(out.executable.c_str(), argv.data(), envp.data(), out.cwd.c_str(), p.null_fd.get(), p.out_w.get(),
                   p.err_w.get(), p.rep_w.get(), change_ids, id.uid, id.gid, id.groups.data(), id.groups.size(),
                   self);
    const int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) throw ActionError("fork failed: " + errno_text(fork_errno));
    p.close_child_ends();
    return pid;
}

// The report pipe closes on a successful exec, or carries the failure.
void check_started(const RunOutcome& out, const Identity& id, pid_t pid, const Fd& rep_r) {
    ChildFailure failure{};
    ssize_t got;
    do {
        got = ::read(rep_r.get(), &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    if (got != ssize_t(sizeof failure)) return;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string what = stage_name(failure.stage);
    if (failure.stage == kStageChdir) what += "(" + out.cwd + ")";
    if (failure.stage == kStageExec) what += "(" + out.executable + ")";
    throw ActionError("cannot start " + out.executable + " as " + id.name + ": " + what +
                      " failed: " + errno_text(failure.err));
}

// Collects output until the program ends (or is killed at the deadline or
// on cancel), then drains what is left for a short while.
class Supervisor {
public:
    Supervisor(const RunSpec& spec, const std::atomic<bool>* cancel, RunOutcome& out, ChildPipes& p, int64_t start)
        : spec_(spec), cancel_(cancel), out_(out), p_(p), deadline_(start + int64_t(spec.timeout_s * 1e9)),
          pidfd_(int(::syscall(SYS_pidfd_open, out.pid, 0))) {}

    void run() {
        for (;;) {
            const int64_t now = mono_ns();
            enforce_limits(now);
            if (done_ && ((p_.out_r.get() < 0 && p_.err_r.get() < 0) || now >= drain_deadline_)) break;
            poll_once(now);
        }
        if (p_.out_r.get() >= 0 || p_.err_r.get() >= 0) out_.output_incomplete = true;
    }

private:
    void enforce_limits(int64_t now) {
        if (done_ || killed_) return;
        if (cancel_ && cancel_->load()) {
            kill_group(out_.pid);
            killed_ = out_.cancelled = true;
        } else if (now >= deadline_) {
            kill_group(out_.pid);
            killed_ = out_.timed_out = true;
        }
    }

    void poll_once(int64_t now) {
        pollfd fds[3];
        int nfds = 0, i_out = -1, i_err = -1, i_pid = -1;
        if (p_.out_r.get() >= 0) fds[i_out = nfds++] = {p_.out_r.get(), POLLIN, 0};
        if (p_.err_r.get() >= 0) fds[i_err = nfds++] = {p_.err_r.get(), POLLIN, 0};
        if (!done_ && pidfd_.get() >= 0) fds[i_pid = nfds++] = {pidfd_.get(), POLLIN, 0};
        int64_t wait_ns = 100'000'000;  // re-check cancel at least every 100 ms
        if (!done_ && !killed_) wait_ns = std::min(wait_ns, std::max<int64_t>(deadline_ - now, 0));
        if (done_) wait_ns = std::min(wait_ns, std::max<int64_t>(drain_deadline_ - now, 0));
        if (pidfd_.get() < 0 && !done_) wait_ns = std::min<int64_t>(wait_ns, 20'000'000);  // no pidfd: poll waitpid
        int rc = ::poll(fds, nfds_t(nfds), int((wait_ns + 999'999) / 1'000'000));
        if (rc < 0 && errno != EINTR) throw ActionError("poll failed: " + errno_text(errno));
        if (rc > 0) {
            drain(fds, i_out, p_.out_r, out_.out);
            drain(fds, i_err, p_.err_r, out_.err);
        }
        if (!done_ && (pidfd_.get() < 0 || (i_pid >= 0 && rc > 0 && (fds[i_pid].revents & POLLIN)))) reap();
    }

    void drain(const pollfd* fds, int idx, Fd& fd, CapturedStream& s) {
        if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
        ssize_t n = ::read(fd.get(), buf_, sizeof buf_);
        if (n > 0)
            append_capped(s, buf_, size_t(n), spec_.max_output_bytes);
        else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            fd.reset();
    }

    void reap() {
        int status = 0;
        pid_t w = ::waitpid(out_.pid, &status, WNOHANG);
        if (w != out_.pid && !(w < 0 && errno == ECHILD)) return;
        done_ = true;
        out_.end_ns = realtime_ns();
        drain_deadline_ = mono_ns() + int64_t(spec_.drain_after_exit_s * 1e9);
        if (w < 0) {
            out_.status_known = false;
        } else if (WIFEXITED(status)) {
            out_.exited = true;
            out_.exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            out_.term_signal = WTERMSIG(status);
        }
    }

    const RunSpec& spec_;
    const std::atomic<bool>* cancel_;
    RunOutcome& out_;
    ChildPipes& p_;
    const int64_t deadline_;
    Fd pidfd_;
    int64_t drain_deadline_ = 0;
    bool done_ = false, killed_ = false;
    char buf_[65536];
};

}  // namespace

RunOutcome run_process(const RunSpec& spec, const std::atomic<bool>* cancel) {
    RunOutcome out;
    const Identity id = resolve_user(spec.user);
    out.user = id.name;
    out.uid = id.uid;
    out.gid = id.gid;
    const Env env = build_env(spec, id);
    out.executable = resolve_executable(spec.executable, env);
    out.cwd = resolve_cwd(spec.cwd, id);
    out.argv.push_back(spec.executable);
    for (const auto& a : spec.args) out.argv.push_back(a);
    // An explicit user gets exactly its groups (root can always set them).
    const bool change_ids =
        id.uid != ::geteuid() || id.gid != ::getegid() || (spec.user.has_value() && ::geteuid() == 0);
    ChildPipes pipes;
    const int64_t start_mono = mono_ns();
    out.pid = spawn(out, env, id, change_ids, pipes);
    check_started(out, id, out.pid, pipes.rep_r);
    Supervisor(spec, cancel, out, pipes, start_mono).run();
    return out;
}

}  // namespace vigil::response
