// The shared test helpers themselves: child processes, skipping, temp dirs, loopback sockets.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>

#include "vigil/testing/child_process.hpp"
#include "vigil/testing/host_settings.hpp"
#include "vigil/testing/loopback.hpp"
#include "vigil/testing/privileges.hpp"
#include "vigil/testing/temp_dir.hpp"

using vigil::testing::ChildProcess;

TEST_CASE("child process: exec, wait, exit codes and signals") {
    auto ok = ChildProcess::spawn({"/bin/sh", "-c", "exit 3"});
    CHECK(ok.wait() == ChildProcess::exited_with(3));
    auto sleeper = ChildProcess::spawn({"/bin/sleep", "30"});
    CHECK(sleeper.wait_exec());
    CHECK(sleeper.running());
    CHECK_FALSE(sleeper.wait(std::chrono::milliseconds(20)));
    sleeper.signal(SIGTERM);
    CHECK(sleeper.wait() == ChildProcess::killed_by(SIGTERM));
    CHECK(ChildProcess::run_and_wait({"/nonexistent/binary"}) == ChildProcess::exited_with(127));
    auto fn = ChildProcess::run([] { return 9; });
    CHECK(fn.wait() == ChildProcess::exited_with(9));
}

TEST_CASE("child process: a child still running when the test ends is killed and reaped") {
    pid_t pid = 0;
    {
        auto c = ChildProcess::spawn({"/bin/sleep", "30"});
        pid = c.pid();
        REQUIRE(c.running());
    }
    // Reaped: the pid is no longer our child.
    CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
}

TEST_CASE("privileges: an unmet requirement ends the executable with 77 (ctest: skipped)") {
    auto c = ChildProcess::run([]() -> int {
        VIGIL_REQUIRE(false, "for the test");
        return 1;
    });
    CHECK(c.wait() == ChildProcess::exited_with(vigil::testing::kSkipExitCode));
    auto met = ChildProcess::run([]() -> int {
        VIGIL_REQUIRE(true, "never");
        return 0;
    });
    CHECK(met.wait() == ChildProcess::exited_with(0));
    CHECK(vigil::testing::is_root() == (::geteuid() == 0));
}

TEST_CASE("temp dir: write, read, removed at scope end") {
    std::filesystem::path p;
    {
        vigil::testing::TempDir d;
        p = d.path();
        d.write("a/b.txt", "x");
        CHECK(d.read("a/b.txt") == "x");
    }
    CHECK_FALSE(std::filesystem::exists(p));
}

TEST_CASE("host settings: validated like vigild does, then the schema's defaults filled in") {
    const char* schema = R"({"type":"object","additionalProperties":false,"properties":{
        "n":{"type":"integer","minimum":1,"default":5},"s":{"type":"string","default":"x"},
        "o":{"type":"object","properties":{"b":{"type":"boolean","default":true}}}}})";
    using vigil::testing::host_settings;
    CHECK(host_settings(schema, "{}") == R"({"n":5,"s":"x","o":{"b":true}})");
    CHECK(host_settings(schema, R"({"n":7})") == R"({"n":7,"s":"x","o":{"b":true}})");
    CHECK_THROWS_WITH_AS(host_settings(schema, R"({"n":0})"), doctest::Contains("n: 0 is below the minimum 1"),
                         vigil::testing::HostSettingsError);
    CHECK_THROWS_WITH_AS(host_settings(schema, R"({"o":{"b":1}})"), doctest::Contains("o.b: expected"),
                         vigil::testing::HostSettingsError);
    CHECK_THROWS_WITH_AS(host_settings(schema, R"({"z":1})"), doctest::Contains("z: unknown setting"),
                         vigil::testing::HostSettingsError);
}

TEST_CASE("loopback: a listener on a free 127.0.0.1 port accepts a connection to it") {
    uint16_t port = 0;
    const int l = vigil::testing::loopback_tcp_socket(port, 1);
    REQUIRE(l >= 0);
    CHECK(port != 0);
    const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in to = vigil::testing::loopback_address(port);
    CHECK(::connect(c, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
    ::close(c);
    // Without a backlog it is only bound: connecting is refused.
    uint16_t bound_port = 0;
    const int b = vigil::testing::loopback_tcp_socket(bound_port);
    REQUIRE(b >= 0);
    const int c2 = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in to2 = vigil::testing::loopback_address(bound_port);
    CHECK(::connect(c2, reinterpret_cast<const sockaddr*>(&to2), sizeof to2) != 0);
    ::close(c2);
    ::close(b);
    ::close(l);
}
