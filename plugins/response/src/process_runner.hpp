// run_process core: starts a program in its own session/process group as a
// given user, captures stdout/stderr up to a cap, enforces a timeout by
// killing the whole group, and reports how it ended. Blocking: call it from a
// worker thread, never from the plugin executor.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vigil::response {

// PATH used for lookups and given to the child unless env overrides it.
inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct RunSpec {
    std::string executable;                                // absolute path, or a bare name looked up in PATH
    std::vector<std::string> args;                         // argv[1..]
    std::string cwd;                                       // empty: the user's home (or "/")
    std::vector<std::pair<std::string, std::string>> env;  // added to / overriding the base env
    double timeout_s = 600;
    std::optional<std::string> user;          // name or numeric uid; default: the agent's user
    uint64_t max_output_bytes = 1024 * 1024;  // each stream
    double drain_after_exit_s = 2;            // keep reading output this long after the process exits
};

struct CapturedStream {
    std::string data;          // at most max_output_bytes
    uint64_t total_bytes = 0;  // everything the process wrote
    bool truncated = false;
};

struct RunOutcome {
    pid_t pid = 0;
    std::string executable;  // resolved absolute path
    std::vector<std::string> argv;
    std::string cwd;
    std::string user;
    uint32_t uid = 0, gid = 0;
    bool exited = false;  // exited normally: exit_code is valid
    int exit_code = -1;
    int term_signal = 0;               // signal that ended it, 0 when exited
    bool status_known = true;          // false when someone else reaped the child
    bool timed_out = false;            // the group was killed because the timeout passed
    bool cancelled = false;            // the group was killed because the plugin stops
    bool output_incomplete = false;    // pipes still open after the drain window
    int64_t start_ns = 0, end_ns = 0;  // CLOCK_REALTIME
    CapturedStream out, err;
};

// Throws ActionError when the program cannot be started (unknown user, no
// such executable or working directory, exec failure, ...).
RunOutcome run_process(const RunSpec& spec, const std::atomic<bool>* cancel);

}  // namespace vigil::response
