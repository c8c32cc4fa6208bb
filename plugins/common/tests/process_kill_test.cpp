#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "vigil/common/proc.hpp"
#include "vigil/common/process_kill.hpp"
#include "vigil/testing/child_process.hpp"

using namespace vigil::common;
using vigil::testing::ChildProcess;
using How = TerminateEnd::How;

namespace {

uint64_t start_ticks(pid_t pid) {
    auto st = ProcFs().stat(pid);
    REQUIRE(st);
    return st->start_ticks;
}

// A child that ignores SIGTERM and then waits: only SIGKILL ends it.
ChildProcess stubborn() {
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    auto child = ChildProcess::run([&]() -> int {
        ::signal(SIGTERM, SIG_IGN);
        (void)!::write(ready[1], "x", 1);
        for (;;) ::pause();
    });
    char c;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    ::close(ready[1]);
    return child;
}

}  // namespace

TEST_CASE("process_kill: a pinned process ends by SIGTERM within the grace period") {
    auto sleeper = ChildProcess::spawn({"/bin/sleep", "30"});
    REQUIRE(sleeper.wait_exec());
    auto pin = PinnedProcess::pin(sleeper.pid(), start_ticks(sleeper.pid()));
    REQUIRE(pin);
    CHECK_FALSE(pin.exited());
    auto ends = terminate_pinned({&pin}, {.grace_ms = 5000, .kill_wait_ms = 5000});
    REQUIRE(ends.size() == 1);
    CHECK(ends[0].how == How::sigterm);
    CHECK(std::string(ends[0].signal_name()) == "SIGTERM");
    CHECK(pin.exited());
    CHECK(sleeper.wait(std::chrono::seconds(5)) == ChildProcess::killed_by(SIGTERM));
}

TEST_CASE("process_kill: a process ignoring SIGTERM gets SIGKILL after the grace period") {
    auto child = stubborn();
    auto pin = PinnedProcess::pin(child.pid(), start_ticks(child.pid()));
    REQUIRE(pin);
    auto ends = terminate_pinned({&pin}, {.grace_ms = 100, .kill_wait_ms = 5000});
    CHECK(ends[0].how == How::sigkill);
    CHECK(child.wait(std::chrono::seconds(5)) == ChildProcess::killed_by(SIGKILL));
}

TEST_CASE("process_kill: sigterm_first = false kills at once; cancel cuts the grace short") {
    auto a = stubborn();
    auto pa = PinnedProcess::pin(a.pid(), 0);
    REQUIRE(pa);
    CHECK(terminate_pinned({&pa}, {.grace_ms = 60000, .sigterm_first = false})[0].how == How::sigkill);

    auto b = stubborn();
    auto pb = PinnedProcess::pin(b.pid(), 0);
    std::atomic<bool> cancel{true};
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(terminate_pinned({&pb}, {.grace_ms = 60000, .cancel = &cancel})[0].how == How::sigkill);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30));
}

TEST_CASE("process_kill: a different start time means the pid was reused: nothing is pinned") {
    auto sleeper = ChildProcess::spawn({"/bin/sleep", "30"});
    REQUIRE(sleeper.wait_exec());
    auto pin = PinnedProcess::pin(sleeper.pid(), start_ticks(sleeper.pid()) + 1);
    CHECK_FALSE(pin);
    CHECK(pin.pin_error() == PinnedProcess::PinError::reused);
    CHECK(pin.error() == "its pid was reused");
    CHECK(pin.signal(SIGKILL) == ESRCH);  // an unpinned handle signals nobody
    CHECK(sleeper.running());
}

TEST_CASE("process_kill: an exited process cannot be pinned; a pin outlives the pid's reuse") {
    auto done = ChildProcess::spawn({"/bin/true"});
    const pid_t pid = done.pid();
    REQUIRE(done.wait(std::chrono::seconds(5)));
    auto gone = PinnedProcess::pin(pid, 0);
    CHECK_FALSE(gone);
    CHECK(gone.pin_error() == PinnedProcess::PinError::gone);
    CHECK(PinnedProcess::pin(0, 0).pin_error() == PinnedProcess::PinError::failed);

    // Pinned, then it exits: the pin reports it, signals fail with ESRCH and
    // terminate_pinned says it was already gone.
    auto child = ChildProcess::spawn({"/bin/sleep", "30"});
    REQUIRE(child.wait_exec());
    auto pin = PinnedProcess::pin(child.pid(), start_ticks(child.pid()));
    REQUIRE(pin);
    child.signal(SIGKILL);
    REQUIRE(child.wait(std::chrono::seconds(5)));
    CHECK(wait_for_exit({&pin}, 5000) == 0);
    CHECK(pin.exited());
    CHECK(pin.signal(SIGTERM) == ESRCH);
    CHECK(terminate_pinned({&pin}, {})[0].how == How::already_gone);
    CHECK(terminate_pinned({nullptr}, {})[0].how == How::already_gone);
}
