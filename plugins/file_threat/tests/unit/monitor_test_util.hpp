// Helpers for tests of the fanotify monitor on a private tmpfs.
#pragma once

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "fanotify_monitor.hpp"
#include "protector.hpp"
#include "recording_reporter.hpp"
#include "test_util.hpp"

namespace vigil::file_threat::test {

// Mounts a tmpfs in a private mount namespace of this test process.
struct PrivateTmpfs {
    TempDir dir;
    bool ok = false;
    PrivateTmpfs() {
        static bool unshared = ::unshare(CLONE_NEWNS) == 0 &&
                               ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
        ok = unshared && ::mount("tmpfs", dir.path.c_str(), "tmpfs", 0, "size=64m") == 0;
    }
    ~PrivateTmpfs() {
        if (ok) ::umount2(dir.path.c_str(), MNT_DETACH);
    }
};

// A private tmpfs (`root`) and a protector over the built-in EICAR engine with `po`,
// reporting into `rep`. Check fs.ok first: without root nothing is mounted.
struct ProtectedTmpfs {
    PrivateTmpfs fs;
    std::string root = fs.dir.path.string();
    RecordingReporter rep;
    vigil::file_threat::Protector protector{rep, 1024};
    explicit ProtectedTmpfs(const vigil::file_threat::ProtectorOptions& po) {
        protector.set_engines(vigil::file_threat::Engines::load({}, {}, true));
        protector.set_options(po);
    }
};

// On-access threats are blocked and reported.
inline vigil::file_threat::ProtectorOptions block_and_notify() {
    vigil::file_threat::ProtectorOptions po;
    po.on_access_actions = {vigil::file_threat::Action::Block, vigil::file_threat::Action::Notify};
    return po;
}

// Ends the test case (with a message) when the tmpfs could not be mounted: not root.
#define SKIP_UNLESS_MOUNTED(t)                                                    \
    do {                                                                          \
        if (!(t).fs.ok) {                                                         \
            MESSAGE("skipped: needs root to mount a private tmpfs for fanotify"); \
            return;                                                               \
        }                                                                         \
    } while (0)

// Opens `path` in a child process (the monitor never blocks its own process);
// returns 0 or the errno of open().
inline int open_in_child(const std::string& path) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open(path.c_str(), O_RDONLY);
        ::_exit(fd >= 0 ? 0 : errno);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// Runs argv in a child; returns the errno of execv (e.g. EPERM when the exec
// was denied), or 0 when the program ran and exited 0, or 1000 + its status.
inline int exec_in_child(const std::vector<std::string>& argv) {
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        int e = errno;
        [[maybe_unused]] ssize_t w = ::write(pipefd[1], &e, sizeof e);
        ::_exit(127);
    }
    ::close(pipefd[1]);
    int e = 0;
    const bool exec_failed = ::read(pipefd[0], &e, sizeof e) == ssize_t(sizeof e);
    ::close(pipefd[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    if (exec_failed) return e;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1000 + (WIFEXITED(st) ? WEXITSTATUS(st) : 255);
}

inline vigil::file_threat::MonitorOptions options_for(const std::string& mount) {
    vigil::file_threat::MonitorOptions o;
    o.mounts = {mount};
    o.open_perm = true;
    o.exec_perm = true;
    o.close_write = true;
    o.scan_timeout = std::chrono::milliseconds(3000);
    return o;
}

}  // namespace vigil::file_threat::test
