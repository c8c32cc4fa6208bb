// terminate_process against real pid reuse: the process the operator selected
// (pid + start time + executable + SHA-256, as the central node sends them)
// exits, and a copy of the same executable is started at its pid with clone3
// set_tid. Only the start time tells them apart; the newcomer must survive.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <random>

#include <vigil/common/digest.hpp>

#include "action_error.hpp"
#include "proc_table.hpp"
#include "terminate_process.hpp"
#include "test_util.hpp"
#include "vigil/testing/child_process.hpp"
#include "vigil/testing/pid_reuse.hpp"
#include "vigil/testing/privileges.hpp"

using namespace vigil::response;
using response_test::TempDir;
using vigil::testing::ChildProcess;
using vigil::testing::PidReuse;

TEST_CASE("response_terminate: a pid reused by the same executable is refused, the newcomer survives") {
    VIGIL_REQUIRE_ROOT();
    TempDir t;
    const std::string sleeper = t / "reuse_sleep";
    std::string bin = response_test::read_file("/bin/sleep");
    REQUIRE_FALSE(bin.empty());
    bin += "response-reuse-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device()());
    response_test::write_file(sleeper, bin, 0755);
    for (int tries = 1; tries <= 20; ++tries) {
        auto victim = ChildProcess::spawn({sleeper, "60"});
        REQUIRE(victim.wait_exec());
        auto judged = read_process(victim.pid());
        REQUIRE(judged);
        // Past the default start_time_tolerance_ms (1000): a newcomer started
        // within it is taken for the judged process (clock conversions drift).
        auto r = vigil::testing::reuse_pid(victim, {sleeper, "60"}, std::chrono::milliseconds(1300));
        VIGIL_REQUIRE(r.status != PidReuse::not_allowed, r.why);
        if (r.status == PidReuse::taken) continue;
        MESSAGE("pid " << judged->stat.pid << " reused after " << tries << " tries");
        TerminateSpec s;
        s.pid = judged->stat.pid;
        s.start_time_ns = judged->start_time_ns;
        s.exe = sleeper;
        s.sha256 = vigil::common::sha256_hex(bin);
        s.grace_s = 1;
        s.kill_wait_s = 1;
        CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr), doctest::Contains("the pid was probably reused"),
                             ActionError);
        CHECK(r.child->running());
        // The control: the same request with the newcomer's start time kills it.
        s.start_time_ns = read_process(judged->stat.pid)->start_time_ns;
        auto o = terminate_processes(s, nullptr);
        REQUIRE(o.terminated.size() == 1);
        CHECK(r.child->wait(std::chrono::seconds(5)) == ChildProcess::killed_by(SIGTERM));
        return;
    }
    FAIL("the freed pid was taken by another process 20 times in a row");
}
