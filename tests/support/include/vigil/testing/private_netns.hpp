#pragma once
// Tests that talk to the kernel's network stack (nftables, NFLOG, sockets)
// move the whole test process into a network namespace of its own, once, so
// they never touch the host's ruleset or interfaces. Without permission (not
// root) enter_private_netns() returns false and the caller skips.
//
//   if (!vigil::testing::enter_private_netns()) { MESSAGE("skipped: needs root"); return; }

#include <sched.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace vigil::testing {

inline bool enter_private_netns() {
    static const bool ok = [] {
        if (::unshare(CLONE_NEWNET) != 0) return false;
        return std::system("ip link set lo up") == 0;
    }();
    return ok;
}

// Runs a shell command; returns its exit status and, when `out` is given,
// its stdout and stderr.
inline int run_shell(const std::string& cmd, std::string* out = nullptr) {
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return -1;
    std::string s;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) s.append(buf, n);
    const int st = ::pclose(p);
    if (out) *out = s;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace vigil::testing
