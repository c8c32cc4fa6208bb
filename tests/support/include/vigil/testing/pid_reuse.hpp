#pragma once
// Forces pid reuse in a test: a child is started AT a chosen pid with clone3's
// set_tid (needs CAP_SYS_ADMIN in the pid namespace's owner, i.e. root here),
// so "the judged process exited and another one got its pid" is a certainty
// instead of a wrap-around race.
//
//   auto victim = ChildProcess::spawn({"/bin/sleep", "30"});
//   ... judge / pin victim ...
//   auto reuser = vigil::testing::reuse_pid(victim, {"/bin/sleep", "30"});
//   VIGIL_REQUIRE(reuser.status == PidReuse::ok, reuser.why);
//   ... the delayed kill runs; reuser.child must survive ...

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"

namespace vigil::testing {

namespace pid_reuse_detail {
// struct clone_args up to set_tid_size (CLONE_ARGS_SIZE_VER1), spelled out so
// this header does not pull <linux/sched.h> next to <sched.h>.
struct CloneArgs {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size;
};
}  // namespace pid_reuse_detail

// Starts argv[0] (absolute path) with argv as a child whose pid is exactly
// `pid`. Returns the pid, or -1 with errno (EEXIST: the pid is in use, EPERM:
// not allowed to choose pids).
inline pid_t spawn_at_pid(pid_t pid, const std::vector<std::string>& argv) {
    // Everything the child touches is prepared before clone3: after it the
    // child of this (multi-threaded) process may only call execv and _exit.
    std::vector<std::string> copy = argv;
    std::vector<char*> a;
    for (auto& s : copy) a.push_back(s.data());
    a.push_back(nullptr);
    pid_t want = pid;
    pid_reuse_detail::CloneArgs args{};
    args.exit_signal = SIGCHLD;
    args.set_tid = uint64_t(uintptr_t(&want));
    args.set_tid_size = 1;
    const long r = ::syscall(SYS_clone3, &args, sizeof args);
    if (r == 0) {
        ::execv(a[0], a.data());
        ::_exit(127);
    }
    return r < 0 ? -1 : pid_t(r);
}

struct PidReuse {
    enum Status { ok, taken, not_allowed } status = not_allowed;
    std::optional<ChildProcess> child;  // runs argv at the victim's old pid (status ok)
    std::string why;                    // for taken / not_allowed
};

// Kills and reaps `victim`, waits `gap` (so the new process has a different
// start time: /proc counts in clock ticks), then starts argv at the freed pid.
// `taken` when another process grabbed the pid first: retry with a new victim.
inline PidReuse reuse_pid(ChildProcess& victim, const std::vector<std::string>& argv,
                          std::chrono::milliseconds gap = std::chrono::milliseconds(150)) {
    const pid_t pid = victim.pid();
    victim.signal(SIGKILL);
    victim.wait();
    std::this_thread::sleep_for(gap);
    PidReuse out;
    const pid_t got = spawn_at_pid(pid, argv);
    if (got == pid) {
        out.status = PidReuse::ok;
        out.child.emplace(ChildProcess::adopt(got));
        out.child->wait_exec();
        return out;
    }
    const int e = errno;
    out.status = e == EEXIST ? PidReuse::taken : PidReuse::not_allowed;
    out.why = "clone3 with set_tid " + std::to_string(pid) + ": " + std::strerror(e);
    return out;
}

}  // namespace vigil::testing
