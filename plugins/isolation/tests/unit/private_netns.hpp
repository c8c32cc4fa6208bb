// Tests that talk to the kernel's nftables run in a network namespace of
// their own, so they never touch the host's ruleset.
#pragma once

#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace vigil::isolation::test {

// Moves this test process into a fresh network namespace (once). False when
// that is not permitted (not root); callers then skip their kernel checks.
inline bool enter_private_netns() {
    static const bool ok = [] {
        if (::unshare(CLONE_NEWNET) != 0) return false;
        return std::system("ip link set lo up") == 0;
    }();
    return ok;
}

// Runs a shell command, returns its exit status and captures stdout+stderr.
inline int run_shell(const std::string& cmd, std::string* out = nullptr) {
    std::string full = cmd + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    if (!p) return -1;
    char buf[4096];
    std::string s;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) s.append(buf, n);
    int st = ::pclose(p);
    if (out) *out = s;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

inline std::string temp_dir() {
    char tmpl[] = "/tmp/isolation_test_XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    return d ? d : "/tmp";
}

}  // namespace vigil::isolation::test
