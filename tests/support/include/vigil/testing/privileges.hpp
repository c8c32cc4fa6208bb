#pragma once
// Tests that need root, namespaces, fanotify or BPF: they run in their own
// executables, declared with vigil_add_unit_test(NAME PRIVILEGED ...) (label
// `privileged`, ctest SKIP_RETURN_CODE 77), and start with a requirement:
//
//   TEST_CASE("isolation: the ruleset blocks traffic in a private netns") {
//       VIGIL_REQUIRE_ROOT();
//       VIGIL_REQUIRE(vigil::testing::can_create_network_namespace(), "cannot create a network namespace");
//       ...
//
// When a requirement is not met the executable stops at once with exit code
// 77, which ctest reports as "Skipped" — a test that could not run is never
// shown as passed.

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace vigil::testing {

inline bool is_root() { return ::geteuid() == 0; }

// Tries unshare(CLONE_NEWNET) in a throw-away child (containers may forbid it
// even to root).
inline bool can_create_network_namespace() {
    const pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) ::_exit(::unshare(CLONE_NEWNET) == 0 ? 0 : 1);
    int status = 0;
    return ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

inline constexpr int kSkipExitCode = 77;

// Ends this test executable as skipped, saying why.
[[noreturn]] inline void skip_executable(const std::string& why) {
    std::fprintf(stderr, "SKIPPED: %s\n", why.c_str());
    std::fflush(stderr);
    std::fflush(stdout);
    std::_Exit(kSkipExitCode);
}

}  // namespace vigil::testing

#define VIGIL_REQUIRE(condition, why)                                     \
    do {                                                                  \
        if (!(condition)) ::vigil::testing::skip_executable(why);         \
    } while (0)
#define VIGIL_REQUIRE_ROOT() VIGIL_REQUIRE(::vigil::testing::is_root(), "needs root")
