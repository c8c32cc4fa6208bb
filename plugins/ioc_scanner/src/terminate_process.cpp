// The terminate action: SIGTERM, then SIGKILL, guarded by the process start
// time so that a pid reused by an unrelated process is never signalled.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "collectors.hpp"
#include "scan_engine.hpp"

namespace ioc {

std::string terminate_process(int pid, uint64_t start_ticks, int grace_ms) {
    if (pid <= 1) return "refusing to signal pid " + std::to_string(pid);
    if (pid == getpid()) return "refusing to terminate the agent itself";
    auto same = [&] { return start_ticks != 0 && process_start_ticks(pid) == start_ticks; };
    if (!same()) return "process " + std::to_string(pid) + " is gone or its pid was reused";
    if (kill(pid, SIGTERM) != 0) return "SIGTERM failed: " + std::string(strerror(errno));
    for (int waited = 0; waited < grace_ms; waited += 50) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!same()) return "";
        // A zombie child of ours keeps its stat entry: count "Z" as gone.
        std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
        std::string s((std::istreambuf_iterator<char>(st)), {});
        auto close = s.rfind(')');
        if (close != std::string::npos && close + 2 < s.size() && s[close + 2] == 'Z') return "";
    }
    if (!same()) return "";
    if (kill(pid, SIGKILL) != 0 && errno != ESRCH) return "SIGKILL failed: " + std::string(strerror(errno));
    return "";
}

}  // namespace ioc
