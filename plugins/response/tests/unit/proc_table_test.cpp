#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <csignal>

#include "proc_table.hpp"

using namespace vigil::response;

TEST_CASE("response_proc_table: reads this process") {
    auto p = read_process(::getpid());
    REQUIRE(p);
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe);
    REQUIRE(n > 0);
    CHECK(p->exe == std::string(exe, size_t(n)));
    CHECK(p->exe_known);
    CHECK(p->stat.ppid == ::getppid());
    CHECK_FALSE(p->kernel_thread());
    const uint64_t now = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    CHECK(p->start_time_ns <= now + 20'000'000);
    CHECK(p->start_time_ns > now - 3600ull * 1'000'000'000);
}

TEST_CASE("response_proc_table: start time of a new child is its fork time (ns since the epoch)") {
    const auto before = std::chrono::system_clock::now();
    pid_t pid = ::fork();
    if (pid == 0) {
        ::pause();
        ::_exit(0);
    }
    auto p = read_process(pid);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    REQUIRE(p);
    const int64_t forked =
        std::chrono::duration_cast<std::chrono::nanoseconds>(before.time_since_epoch()).count();
    // One clock tick of resolution plus scheduling: generous correctness bound.
    CHECK(std::llabs(int64_t(p->start_time_ns) - forked) < 1'000'000'000);
    CHECK_FALSE(read_process(pid).has_value());
}

TEST_CASE("response_proc_table: lists pids and knows pid_max") {
    auto pids = list_pids();
    CHECK(std::find(pids.begin(), pids.end(), ::getpid()) != pids.end());
    CHECK(pid_max() >= 301);
}
