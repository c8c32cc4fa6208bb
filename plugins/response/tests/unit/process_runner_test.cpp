#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "action_error.hpp"
#include "process_runner.hpp"
#include "test_util.hpp"

using namespace vigil::response;

namespace {
RunSpec sh(const std::string& script, double timeout = 20) {
    RunSpec s;
    s.executable = "/bin/sh";
    s.args = {"-c", script};
    s.timeout_s = timeout;
    return s;
}
bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }
}  // namespace

TEST_CASE("response_run: output, exit code and times") {
    RunOutcome r = run_process(sh("echo out; echo err >&2; exit 3"), nullptr);
    CHECK(r.exited);
    CHECK(r.exit_code == 3);
    CHECK(r.term_signal == 0);
    CHECK(r.out.data == "out\n");
    CHECK(r.err.data == "err\n");
    CHECK_FALSE(r.out.truncated);
    CHECK_FALSE(r.timed_out);
    CHECK(r.pid > 0);
    CHECK(r.end_ns >= r.start_ns);
    CHECK(r.executable == "/bin/sh");
}

TEST_CASE("response_run: a bare name is looked up in PATH") {
    RunSpec s;
    s.executable = "echo";
    s.args = {"hi", "there"};
    RunOutcome r = run_process(s, nullptr);
    CHECK(r.out.data == "hi there\n");
    CHECK(r.executable.find("/echo") != std::string::npos);
}

TEST_CASE("response_run: killed by a signal") {
    RunOutcome r = run_process(sh("kill -TERM $$"), nullptr);
    CHECK_FALSE(r.exited);
    CHECK(r.term_signal == SIGTERM);
}

TEST_CASE("response_run: output beyond the cap is counted and flagged") {
    RunSpec s = sh("i=0; while [ $i -lt 100 ]; do printf 0123456789; i=$((i+1)); done");
    s.max_output_bytes = 25;
    RunOutcome r = run_process(s, nullptr);
    CHECK(r.out.data == "0123456789012345678901234");
    CHECK(r.out.total_bytes == 1000);
    CHECK(r.out.truncated);
    CHECK_FALSE(r.err.truncated);
}

TEST_CASE("response_run: timeout kills the whole process group") {
    RunOutcome r = run_process(sh("sleep 30 & echo $!; wait", 0.5), nullptr);
    CHECK(r.timed_out);
    CHECK(r.term_signal == SIGKILL);
    pid_t background = pid_t(std::atoi(r.out.data.c_str()));
    REQUIRE(background > 0);
    // The background sleep was in the group: it is gone (or a zombie being reaped by init).
    for (int i = 0; i < 50 && alive(background); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::string stat = response_test::read_file("/proc/" + std::to_string(background) + "/stat");
    CHECK((stat.empty() || stat.find(") Z") != std::string::npos));
}

TEST_CASE("response_run: own session and process group, clean signal state") {
    int leak = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: the runner must still close it
    REQUIRE(leak >= 0);
    const std::string fd = std::to_string(leak);
    RunOutcome r = run_process(sh("echo $$; cut -d' ' -f5,6 /proc/$$/stat; "
                                  "[ -e /proc/$$/fd/" +
                                  fd + " ] && echo leaked || echo closed"),
                               nullptr);
    ::close(leak);
    CHECK(r.out.data.find("closed") != std::string::npos);
    std::string pid = std::to_string(r.pid);
    CHECK(r.out.data.find(pid + "\n" + pid + " " + pid + "\n") == 0);
    // The program itself (no shell in between) starts with no blocked or ignored signals.
    RunSpec grep;
    grep.executable = "grep";
    grep.args = {"-E", "^Sig(Blk|Ign)", "/proc/self/status"};
    RunOutcome g = run_process(grep, nullptr);
    CHECK(g.out.data == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST_CASE("response_run: environment, working directory and user") {
    response_test::TempDir t;
    RunSpec s = sh("echo \"$EXTRA|$HOME|$(pwd)|$(id -u)|$PATH\"");
    s.env = {{"EXTRA", "v=1"}};
    s.cwd = t.path();
    s.user = "nobody";
    ::chmod(t.path().c_str(), 0755);
    RunOutcome r = run_process(s, nullptr);
    CHECK(r.user == "nobody");
    CHECK(r.out.data ==
          "v=1|/nonexistent|" + t.path() + "|" + std::to_string(r.uid) + "|" + kDefaultPath + "\n");
    CHECK(r.uid != 0);
    RunSpec root = sh("id -u; id -G");
    root.user = "0";
    RunOutcome rr = run_process(root, nullptr);
    CHECK(rr.out.data.rfind("0\n", 0) == 0);
}

TEST_CASE("response_run: failures to start are errors") {
    RunSpec s;
    s.executable = "/nonexistent/program";
    CHECK_THROWS_WITH_AS(run_process(s, nullptr), doctest::Contains("No such file"), ActionError);
    s.executable = "no-such-program-anywhere";
    CHECK_THROWS_WITH_AS(run_process(s, nullptr), doctest::Contains("not found in PATH"), ActionError);
    s = sh("true");
    s.user = "no-such-user-xyz";
    CHECK_THROWS_WITH_AS(run_process(s, nullptr), doctest::Contains("unknown user"), ActionError);
    s = sh("true");
    s.cwd = "/nonexistent-dir";
    CHECK_THROWS_WITH_AS(run_process(s, nullptr), doctest::Contains("working directory"), ActionError);
    response_test::TempDir t;
    response_test::write_file(t / "notexec", "echo hi\n", 0644);
    s.cwd.clear();
    s.executable = t / "notexec";
    CHECK_THROWS_WITH_AS(run_process(s, nullptr), doctest::Contains("not executable"), ActionError);
    response_test::write_file(t / "badformat", "\x01\x02\x03garbage", 0755);
    s.executable = t / "badformat";
    CHECK_THROWS_WITH_AS(run_process(s, nullptr),
                         doctest::Contains(("exec(" + t / "badformat" + ") failed").c_str()), ActionError);
    // The child's chdir runs as the target user: a directory it cannot enter.
    ::mkdir((t / "private").c_str(), 0700);
    s = sh("true");
    s.cwd = t / "private";
    s.user = "nobody";
    CHECK_THROWS_WITH_AS(run_process(s, nullptr), doctest::Contains("chdir"), ActionError);
}

TEST_CASE("response_run: cancellation kills the group promptly") {
    std::atomic<bool> cancel{false};
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cancel = true;
    });
    RunOutcome r = run_process(sh("sleep 30", 60), &cancel);
    stopper.join();
    CHECK(r.cancelled);
    CHECK_FALSE(r.timed_out);
    CHECK(r.term_signal == SIGKILL);
}
