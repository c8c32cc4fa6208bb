#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "action_error.hpp"
#include "critical_services.hpp"
#include "proc_table.hpp"
#include <vigil/common/digest.hpp>
#include "terminate_process.hpp"
#include "test_util.hpp"

using namespace vigil::response;
using response_test::TempDir;

namespace {
// A copy of sleep with unique trailing bytes, so selecting by its path or
// hash can only ever match processes this test started.
std::string unique_sleep(const TempDir& t) {
    std::string path = t / "uniq_sleep";
    std::string bin = response_test::read_file("/bin/sleep");
    REQUIRE_FALSE(bin.empty());
    std::random_device rd;
    bin += "response-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + std::to_string(rd());
    response_test::write_file(path, bin, 0755);
    return path;
}

pid_t spawn(std::vector<std::string> argv) {
    pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> a;
        for (auto& s : argv) a.push_back(s.data());
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        ::_exit(127);
    }
    // Wait until it has exec'd (its exe is no longer ours).
    auto self = read_process(::getpid());
    for (int i = 0; i < 200; ++i) {
        auto p = read_process(pid);
        if (p && p->exe != self->exe) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pid;
}

// Returns the signal that ended the child (it must have ended).
int reap(pid_t pid) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
}

TerminateSpec fast() {
    TerminateSpec s;
    s.grace_s = 2;
    s.kill_wait_s = 2;
    return s;
}

// A unique sleep started for 60 s, with the facts read about it right after.
struct Sleeper {
    TempDir t;
    std::string exe = unique_sleep(t);
    pid_t pid = spawn({exe, "60"});
    std::optional<ProcessFacts> facts = read_process(pid);
    // A spec selecting this pid, expecting its start time moved by `offset_ns`.
    TerminateSpec by_pid(int64_t offset_ns) const {
        REQUIRE(facts);
        TerminateSpec s = fast();
        s.pid = pid;
        s.start_time_ns = facts->start_time_ns + uint64_t(offset_ns);
        return s;
    }
};

// Two processes of one unique sleep binary, and a spec selecting that executable.
struct TwoSleepers : Sleeper {
    pid_t second = spawn({exe, "61"});
    TerminateSpec by_exe() const {
        TerminateSpec s = fast();
        s.exe = exe;
        return s;
    }
};

// The children of `parent` that run `exe`, waited for (up to 2 s) until there are `n`.
std::vector<pid_t> children_running(pid_t parent, const std::string& exe, size_t n) {
    std::vector<pid_t> kids;
    for (int i = 0; i < 400 && kids.size() < n; ++i) {
        kids.clear();
        for (pid_t p : list_pids())
            if (auto f = read_process(p); f && f->stat.ppid == parent && f->exe == exe) kids.push_back(p);
        if (kids.size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return kids;
}
}  // namespace

TEST_CASE("response_terminate: by pid with the right start time") {
    Sleeper x;
    const pid_t pid = x.pid;
    TerminateSpec s = x.by_pid(3'000'000);  // within the tolerance
    s.exe = x.exe;
    TerminateOutcome o = terminate_processes(s, nullptr);
    REQUIRE(o.terminated.size() == 1);
    CHECK(o.terminated[0].proc.pid == pid);
    CHECK(o.terminated[0].signal == "SIGTERM");
    CHECK(o.terminated[0].proc.exe == x.exe);
    CHECK(o.not_terminated.empty());
    CHECK(reap(pid) == SIGTERM);
}

TEST_CASE("response_terminate: guards refuse a reused or different pid") {
    Sleeper x;
    const pid_t pid = x.pid;
    TerminateSpec s = x.by_pid(-5'000'000'000);
    CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr),
                         doctest::Contains("not at the expected start_time_ns"), ActionError);
    s.start_time_ns.reset();
    s.exe = "/usr/bin/true";
    CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr), doctest::Contains("not the expected /usr/bin/true"),
                         ActionError);
    s.exe.reset();
    s.sha256 = std::string(64, '0');
    CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr), doctest::Contains("has SHA-256"), ActionError);
    CHECK(::kill(pid, 0) == 0);  // untouched
    ::kill(pid, SIGKILL);
    reap(pid);
}

TEST_CASE("response_terminate: never the agent, pid 1, kernel threads or missing pids") {
    TerminateSpec s = fast();
    s.pid = ::getpid();
    CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr), doctest::Contains("the agent itself"), ActionError);
    s.pid = 1;
    CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr), doctest::Contains("pid 1"), ActionError);
    s.pid = 2;
    if (auto p = read_process(2); p && p->kernel_thread())
        CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr), doctest::Contains("kernel thread"),
                             ActionError);
    pid_t gone = ::fork();
    if (gone == 0) ::_exit(0);
    reap(gone);
    s.pid = gone;
    CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr), doctest::Contains("no process with pid"),
                         ActionError);
}

TEST_CASE("response_terminate: by executable path and by SHA-256, every match") {
    TwoSleepers x;
    const std::string& sleeper = x.exe;
    const pid_t a = x.pid, b = x.second;
    TerminateSpec s = x.by_exe();
    TerminateOutcome o = terminate_processes(s, nullptr);
    CHECK(o.matched == 2);
    CHECK(o.terminated.size() == 2);
    CHECK(reap(a) == SIGTERM);
    CHECK(reap(b) == SIGTERM);

    pid_t c = spawn({sleeper, "62"});
    TerminateSpec h = fast();
    h.sha256 = vigil::common::digest_file(sleeper, {}).sha256;
    o = terminate_processes(h, nullptr);
    REQUIRE(o.terminated.size() == 1);
    CHECK(o.terminated[0].proc.pid == c);
    CHECK(reap(c) == SIGTERM);

    CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr), doctest::Contains("no running process matches"),
                         ActionError);
}

TEST_CASE("response_terminate: SIGKILL after the grace period") {
    TempDir t;
    std::string sleeper = unique_sleep(t);
    // The shell ignores SIGTERM, and the ignore survives exec.
    pid_t pid = spawn({"/bin/sh", "-c", "trap '' TERM; exec " + sleeper + " 60"});
    for (int i = 0; i < 200; ++i) {
        auto p = read_process(pid);
        if (p && p->exe == sleeper) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    TerminateSpec s = fast();
    s.pid = pid;
    s.grace_s = 0.3;
    TerminateOutcome o = terminate_processes(s, nullptr);
    REQUIRE(o.terminated.size() == 1);
    CHECK(o.terminated[0].signal == "SIGKILL");
    CHECK(reap(pid) == SIGKILL);
}

TEST_CASE("response_terminate: the whole tree") {
    TempDir t;
    std::string sleeper = unique_sleep(t);
    pid_t root = spawn({"/bin/sh", "-c", sleeper + " 60 & " + sleeper + " 61 & wait"});
    const std::vector<pid_t> kids = children_running(root, sleeper, 2);
    REQUIRE(kids.size() == 2);
    TerminateSpec s = fast();
    s.pid = root;
    s.tree = true;
    TerminateOutcome o = terminate_processes(s, nullptr);
    CHECK(o.terminated.size() == 3);
    size_t descendants = 0;
    for (const auto& p : o.terminated) descendants += p.proc.descendant;
    CHECK(descendants == 2);
    reap(root);
    for (pid_t k : kids) {
        // Re-parented after the shell died; gone or a zombie of init.
        std::string stat = response_test::read_file("/proc/" + std::to_string(k) + "/stat");
        CHECK((stat.empty() || stat.find(") Z") != std::string::npos));
    }
}

TEST_CASE("response_terminate: matches by path or tree never include the agent") {
    // The agent is played by one of our own sleeps (agent_pid), so the test
    // never selects anything but processes it started itself.
    TwoSleepers x;
    const std::string& sleeper = x.exe;
    const pid_t agent = x.pid, other = x.second;
    TerminateSpec s = x.by_exe();
    s.agent_pid = agent;
    TerminateOutcome o = terminate_processes(s, nullptr);
    CHECK(o.matched == 2);
    REQUIRE(o.terminated.size() == 1);
    CHECK(o.terminated[0].proc.pid == other);
    REQUIRE(o.not_terminated.size() == 1);
    CHECK(o.not_terminated[0].proc.pid == agent);
    CHECK(o.not_terminated[0].reason == "is the agent itself");
    CHECK(reap(other) == SIGTERM);
    CHECK(::kill(agent, 0) == 0);

    // A tree that contains the agent: everything but the agent.
    pid_t root = spawn({"/bin/sh", "-c", sleeper + " 62 & wait"});
    const std::vector<pid_t> kids = children_running(root, sleeper, 1);
    const pid_t child = kids.empty() ? 0 : kids.back();
    REQUIRE(child != 0);
    TerminateSpec tree = fast();
    tree.pid = root;
    tree.tree = true;
    tree.agent_pid = child;
    o = terminate_processes(tree, nullptr);
    REQUIRE(o.terminated.size() == 1);
    CHECK(o.terminated[0].proc.pid == root);
    REQUIRE(o.not_terminated.size() == 1);
    CHECK(o.not_terminated[0].proc.pid == child);
    CHECK(o.not_terminated[0].proc.descendant);
    reap(root);
    CHECK(::kill(child, 0) == 0);
    ::kill(child, SIGKILL);  // re-parented to init, which reaps it
    ::kill(agent, SIGKILL);
    reap(agent);
}

TEST_CASE("response_terminate: a critical system service needs force, asked directly or met through a selector") {
    Sleeper x;
    const pid_t pid = x.pid;
    const CriticalServices critical{{"uniq_sleep"}, {x.t.path() + "/"}};  // this test's sleep counts as one
    TerminateSpec s = fast();
    s.critical = &critical;
    s.pid = pid;
    CHECK_THROWS_WITH_AS(terminate_processes(s, nullptr),
                         doctest::Contains("a critical system service (uniq_sleep); pass force"), ActionError);
    s.pid.reset();
    s.exe = x.exe;
    TerminateOutcome o = terminate_processes(s, nullptr);
    CHECK(o.terminated.empty());
    REQUIRE(o.not_terminated.size() == 1);
    CHECK(o.not_terminated[0].reason.find("critical system service") != std::string::npos);
    CHECK(read_process(pid));  // untouched
    s.force = true;
    o = terminate_processes(s, nullptr);
    REQUIRE(o.terminated.size() == 1);
    CHECK(o.terminated[0].proc.pid == pid);
    CHECK(reap(pid) == SIGTERM);
}

TEST_CASE("response_terminate: the default critical services are system binaries by name, not look-alikes") {
    const auto& d = CriticalServices::defaults();
    ProcessFacts p;
    p.exe_known = true;
    for (const char* exe : {"/usr/sbin/sshd", "/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-logind",
                            "/usr/bin/dbus-daemon", "/usr/sbin/rsyslogd", "/sbin/init", "/usr/lib/systemd/systemd"}) {
        p.exe = exe;
        CHECK_MESSAGE(!d.match(p).empty(), exe);
    }
    for (const char* exe : {"/tmp/sshd", "/home/u/bin/systemd-journald", "/usr/sbin/sshd-keygen-wrapper",
                            "/usr/bin/sleep"}) {
        p.exe = exe;
        CHECK_MESSAGE(d.match(p).empty(), exe);
    }
    p.exe = "/usr/sbin/sshd";
    p.exe_known = false;
    CHECK(d.match(p).empty());
}
