// The pidfd kill against real pid reuse: the judged process exits, another
// process is started at exactly its pid (clone3 set_tid), then the delayed
// kill runs. The newcomer must survive and the refusal must be reported.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "vigil/common/proc.hpp"
#include "vigil/common/process_kill.hpp"
#include "vigil/testing/child_process.hpp"
#include "vigil/testing/pid_reuse.hpp"
#include "vigil/testing/privileges.hpp"

namespace vc = vigil::common;
using vc::PinnedProcess;
using vigil::testing::ChildProcess;
using vigil::testing::PidReuse;

namespace {

// /proc/PID/stat field 22 (throws when the process is gone).
uint64_t start_ticks(pid_t pid) { return vc::ProcFs().stat(pid).value().start_ticks; }

// A sleeper, judged (its start time read), then replaced by another sleeper
// at the same pid. `before` runs between judging and the reuse (to pin).
struct Reused {
    pid_t pid = 0;
    uint64_t judged_ticks = 0;
    std::optional<ChildProcess> newcomer;
    int tries = 0;
};

template <class Before>
Reused judge_then_reuse(Before before) {
    for (int tries = 1; tries <= 20; ++tries) {
        auto victim = ChildProcess::spawn({"/bin/sleep", "30"});
        REQUIRE(victim.wait_exec());
        const pid_t pid = victim.pid();
        const uint64_t ticks = start_ticks(pid);
        before(pid, ticks);
        auto r = vigil::testing::reuse_pid(victim, {"/bin/sleep", "30"});
        VIGIL_REQUIRE(r.status != PidReuse::not_allowed, r.why);
        if (r.status == PidReuse::taken) continue;  // someone else got the pid first
        REQUIRE(start_ticks(pid) != ticks);
        return Reused{pid, ticks, std::move(*r.child), tries};
    }
    FAIL("the freed pid was taken by another process 20 times in a row");
    return {};
}

}  // namespace

TEST_CASE("pid reuse: a pin taken before the exit never signals the process that got the pid") {
    VIGIL_REQUIRE_ROOT();
    PinnedProcess pin;
    auto r = judge_then_reuse([&](pid_t pid, uint64_t ticks) {
        pin = PinnedProcess::pin(pid, ticks);
        REQUIRE(pin);
    });
    MESSAGE("pid " << r.pid << " reused after " << r.tries << " tries");
    CHECK(pin.exited());
    CHECK(pin.signal(SIGKILL) == ESRCH);
    auto ends = vc::terminate_pinned({&pin}, {.grace_ms = 200, .kill_wait_ms = 200});
    REQUIRE(ends.size() == 1);
    CHECK(ends[0].how == vc::TerminateEnd::How::already_gone);
    CHECK(r.newcomer->running());
    CHECK(::kill(r.pid, 0) == 0);
}

TEST_CASE("pid reuse: pinning by the judged start time refuses the process that got the pid") {
    VIGIL_REQUIRE_ROOT();
    auto r = judge_then_reuse([](pid_t, uint64_t) {});
    auto pin = PinnedProcess::pin(r.pid, r.judged_ticks);
    CHECK_FALSE(pin);
    CHECK(pin.pin_error() == PinnedProcess::PinError::reused);
    CHECK(pin.error() == "its pid was reused");
    auto ends = vc::terminate_pinned({&pin}, {.grace_ms = 200, .kill_wait_ms = 200});
    REQUIRE(ends.size() == 1);
    CHECK(ends[0].how == vc::TerminateEnd::How::already_gone);
    CHECK(r.newcomer->running());
    // The control: the newcomer's own start time pins and kills it.
    auto own = PinnedProcess::pin(r.pid, start_ticks(r.pid));
    REQUIRE(own);
    CHECK(vc::terminate_pinned({&own}, {.grace_ms = 5000, .kill_wait_ms = 5000})[0].how == vc::TerminateEnd::How::sigterm);
    CHECK(r.newcomer->wait(std::chrono::seconds(5)) == ChildProcess::killed_by(SIGTERM));
}
