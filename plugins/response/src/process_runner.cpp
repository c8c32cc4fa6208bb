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

namespace vigil::response {

namespace {

int64_t realtime_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
int64_t mono_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

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

}  // namespace

RunOutcome run_process(const RunSpec& spec, const std::atomic<bool>* cancel) {
    RunOutcome out;
    const Identity id = resolve_user(spec.user);
    out.user = id.name;
    out.uid = id.uid;
    out.gid = id.gid;

    // Environment: a clean base for the target user, then the extras.
    std::vector<std::pair<std::string, std::string>> env = {{"PATH", kDefaultPath},
                                                            {"HOME", id.home},
                                                            {"USER", id.name},
                                                            {"LOGNAME", id.name},
                                                            {"SHELL", id.shell}};
    for (const auto& [k, v] : spec.env) {
        auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == k; });
        if (it != env.end())
            it->second = v;
        else
            env.emplace_back(k, v);
    }
    std::string path_var = kDefaultPath;
    for (const auto& [k, v] : env)
        if (k == "PATH") path_var = v;

    if (spec.executable.find('/') == std::string::npos) {
        out.executable = find_in_path(spec.executable, path_var);
        if (out.executable.empty())
            throw ActionError("executable \"" + spec.executable + "\" not found in PATH (" + path_var + ")");
    } else {
        out.executable = spec.executable;
        struct stat st {};
        if (::stat(out.executable.c_str(), &st) != 0)
            throw ActionError("executable " + out.executable + ": " + errno_text(errno));
        if (!S_ISREG(st.st_mode))
            throw ActionError("executable " + out.executable + " is not a regular file");
        if (::access(out.executable.c_str(), X_OK) != 0)
            throw ActionError("executable " + out.executable + " is not executable");
    }
    out.cwd = spec.cwd;
    if (out.cwd.empty()) {
        struct stat st {};
        out.cwd =
            (!id.home.empty() && ::stat(id.home.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) ? id.home : "/";
    } else {
        struct stat st {};
        if (::stat(out.cwd.c_str(), &st) != 0)
            throw ActionError("working directory " + out.cwd + ": " + errno_text(errno));
        if (!S_ISDIR(st.st_mode)) throw ActionError("working directory " + out.cwd + " is not a directory");
    }

    // Everything the child needs is built before fork: it must not allocate.
    out.argv.push_back(spec.executable);
    for (const auto& a : spec.args) out.argv.push_back(a);
    std::vector<char*> argv;
    for (auto& a : out.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    // An explicit user gets exactly its groups (root can always set them).
    const bool change_ids =
        id.uid != ::geteuid() || id.gid != ::getegid() || (spec.user.has_value() && ::geteuid() == 0);

    Fd null_fd(above_stdio(::open("/dev/null", O_RDWR | O_CLOEXEC)));
    int p_out[2], p_err[2], p_rep[2];
    if (null_fd.get() < 0) throw ActionError("cannot open /dev/null: " + errno_text(errno));
    if (::pipe2(p_out, O_CLOEXEC) != 0) throw ActionError("pipe: " + errno_text(errno));
    Fd out_r(above_stdio(p_out[0])), out_w(above_stdio(p_out[1]));
    if (::pipe2(p_err, O_CLOEXEC) != 0) throw ActionError("pipe: " + errno_text(errno));
    Fd err_r(above_stdio(p_err[0])), err_w(above_stdio(p_err[1]));
    if (::pipe2(p_rep, O_CLOEXEC) != 0) throw ActionError("pipe: " + errno_text(errno));
    Fd rep_r(above_stdio(p_rep[0])), rep_w(above_stdio(p_rep[1]));
    if (out_r.get() < 0 || out_w.get() < 0 || err_r.get() < 0 || err_w.get() < 0 || rep_r.get() < 0 ||
        rep_w.get() < 0)
        throw ActionError("cannot set up pipes: " + errno_text(errno));

    // Block every signal across fork so the child cannot run one of the
    // host's handlers before it has reset them.
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    out.start_ns = realtime_ns();
    const int64_t start_mono = mono_ns();
    const pid_t self = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0)
        child_exec(out.executable.c_str(), argv.data(), envp.data(), out.cwd.c_str(), null_fd.get(),
                   out_w.get(), err_w.get(), rep_w.get(), change_ids, id.uid, id.gid, id.groups.data(),
                   id.groups.size(), self);
    const int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0) throw ActionError("fork failed: " + errno_text(fork_errno));
    out.pid = pid;
    out_w.reset();
    err_w.reset();
    rep_w.reset();
    null_fd.reset();

    // The report pipe closes on a successful exec, or carries the failure.
    ChildFailure failure{};
    ssize_t got;
    do {
        got = ::read(rep_r.get(), &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    if (got == ssize_t(sizeof failure)) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        std::string what = stage_name(failure.stage);
        if (failure.stage == kStageChdir) what += "(" + out.cwd + ")";
        if (failure.stage == kStageExec) what += "(" + out.executable + ")";
        throw ActionError("cannot start " + out.executable + " as " + id.name + ": " + what +
                          " failed: " + errno_text(failure.err));
    }

    Fd pidfd(int(::syscall(SYS_pidfd_open, pid, 0)));
    const int64_t deadline = start_mono + int64_t(spec.timeout_s * 1e9);
    int64_t drain_deadline = 0;
    bool done = false, killed = false;
    char buf[65536];
    for (;;) {
        const int64_t now = mono_ns();
        if (!done && !killed) {
            if (cancel && cancel->load()) {
                kill_group(pid);
                killed = out.cancelled = true;
            } else if (now >= deadline) {
                kill_group(pid);
                killed = out.timed_out = true;
            }
        }
        if (done && ((out_r.get() < 0 && err_r.get() < 0) || now >= drain_deadline)) break;

        pollfd fds[3];
        int nfds = 0, i_out = -1, i_err = -1, i_pid = -1;
        if (out_r.get() >= 0) fds[i_out = nfds++] = {out_r.get(), POLLIN, 0};
        if (err_r.get() >= 0) fds[i_err = nfds++] = {err_r.get(), POLLIN, 0};
        if (!done && pidfd.get() >= 0) fds[i_pid = nfds++] = {pidfd.get(), POLLIN, 0};
        int64_t wait_ns = 100'000'000;  // re-check cancel at least every 100 ms
        if (!done && !killed) wait_ns = std::min(wait_ns, std::max<int64_t>(deadline - now, 0));
        if (done) wait_ns = std::min(wait_ns, std::max<int64_t>(drain_deadline - now, 0));
        if (pidfd.get() < 0 && !done)
            wait_ns = std::min<int64_t>(wait_ns, 20'000'000);  // no pidfd: poll waitpid
        int rc = ::poll(fds, nfds_t(nfds), int((wait_ns + 999'999) / 1'000'000));
        if (rc < 0 && errno != EINTR) throw ActionError("poll failed: " + errno_text(errno));

        auto drain = [&](int idx, Fd& fd, CapturedStream& s) {
            if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
            ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n > 0)
                append_capped(s, buf, size_t(n), spec.max_output_bytes);
            else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                fd.reset();
        };
        if (rc > 0) {
            drain(i_out, out_r, out.out);
            drain(i_err, err_r, out.err);
        }
        if (!done && (pidfd.get() < 0 || (i_pid >= 0 && rc > 0 && (fds[i_pid].revents & POLLIN)))) {
            int status = 0;
            pid_t w = ::waitpid(pid, &status, WNOHANG);
            if (w == pid || (w < 0 && errno == ECHILD)) {
                done = true;
                out.end_ns = realtime_ns();
                drain_deadline = mono_ns() + int64_t(spec.drain_after_exit_s * 1e9);
                if (w < 0) {
                    out.status_known = false;
                } else if (WIFEXITED(status)) {
                    out.exited = true;
                    out.exit_code = WEXITSTATUS(status);
                } else if (WIFSIGNALED(status)) {
                    out.term_signal = WTERMSIG(status);
                }
            }
        }
    }
    if (out_r.get() >= 0 || err_r.get() >= 0) out.output_incomplete = true;
    return out;
}

}  // namespace vigil::response
