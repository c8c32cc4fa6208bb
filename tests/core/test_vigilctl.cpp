#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "command_line.hpp"
#include "vigil/testing/temp_dir.hpp"

using vigil::ctl::parse_command_line;

TEST_CASE("built-in commands and options") {
    auto s = parse_command_line({"--socket", "/x.sock", "status", "--json"});
    CHECK(s.error.empty());
    CHECK(s.kind == "status");
    CHECK(s.json);
    CHECK(s.socket == "/x.sock");
    auto e = parse_command_line({"events", "--type", "file", "--type", "threat"});
    CHECK(e.kind == "events");
    CHECK(e.event_types == std::vector<std::string>{"file", "threat"});
    auto c = parse_command_line({"config", "check", "/etc/vigil/vigil.yaml"});
    CHECK(c.kind == "config_check");
    CHECK(c.config_path == "/etc/vigil/vigil.yaml");
}

TEST_CASE("the generic form builds command name and JSON arguments") {
    auto g = parse_command_line({"isolation", "on", "--timeout_s", "60", "--exclude", "10.0.0.1", "--exclude",
                                 "10.0.0.2", "--reason", "incident 42", "--dry-run"});
    CHECK(g.error.empty());
    CHECK(g.kind == "call");
    CHECK(g.command == "isolation.on");
    CHECK(g.args_json ==
          R"({"timeout_s":60,"exclude":["10.0.0.1","10.0.0.2"],"reason":"incident 42","dry_run":true})");
    auto p = parse_command_line({"response", "get_file", "/etc/hosts"});
    CHECK(p.args_json == R"({"args":["/etc/hosts"]})");
}

TEST_CASE("aliases") {
    auto q = parse_command_line({"quarantine", "restore", "q1-abc"});
    CHECK(q.command == "agent.quarantine_restore");
    CHECK(q.args_json == R"({"args":["q1-abc"]})");
    auto s = parse_command_line({"scan", "ioc", "/tmp/a.ioc", "--path", "/srv"});
    CHECK(s.command == "ioc_scanner.scan");
    CHECK(s.args_json == R"({"args":["/tmp/a.ioc"],"path":"/srv"})");
    CHECK(parse_command_line({"scan", "file", "/tmp"}).command == "file_threat.scan");
}

TEST_CASE("bad command lines are refused with a reason") {
    CHECK(parse_command_line({}).error == "no command given");
    CHECK(parse_command_line({"status", "extra"}).error == "status takes no arguments");
    CHECK(parse_command_line({"quarantine", "restore"}).error.find("needs an entry ID") != std::string::npos);
    CHECK(parse_command_line({"call", "x.y", "[1]"}).error == "call: arguments must be a JSON object");
    CHECK(parse_command_line({"--timeout", "-1", "status"}).error.find("--timeout") != std::string::npos);
    CHECK(parse_command_line({"frobnicate"}).error.find("unknown command") != std::string::npos);
    CHECK(parse_command_line({"Bad", "verb"}).error.find("unknown command") != std::string::npos);
    CHECK(parse_command_line({"--bogus", "status"}).error == "unknown option '--bogus'");
}

TEST_CASE("VIGIL_SOCKET is used only when it names a root-owned socket") {
    vigil::testing::TempDir t("vigilctl_env");
    const std::string sock = (t / "vigild.sock").string();
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, sock.c_str(), sizeof a.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    const std::string plain = t.write("plain", "x");

    const auto with_env = [](const std::string& v) {
        ::setenv("VIGIL_SOCKET", v.c_str(), 1);
        auto inv = parse_command_line({"status"});
        ::unsetenv("VIGIL_SOCKET");
        return inv;
    };
    auto missing = with_env((t / "nope.sock").string());
    CHECK(missing.socket == "/run/vigil/vigild.sock");
    CHECK_FALSE(missing.socket_from_env);
    REQUIRE(missing.warnings.size() == 1);
    CHECK(missing.warnings[0].find("ignoring VIGIL_SOCKET=" + (t / "nope.sock").string() + ": No such file") == 0);
    auto file = with_env(plain);
    CHECK(file.socket == "/run/vigil/vigild.sock");
    CHECK(file.warnings.at(0).find(": not a socket; using /run/vigil/vigild.sock") != std::string::npos);
    if (::geteuid() == 0) {
        auto ok = with_env(sock);
        CHECK(ok.socket == sock);
        CHECK(ok.socket_from_env);
        CHECK(ok.warnings.empty());
        REQUIRE(::chown(sock.c_str(), 65534, 65534) == 0);
        auto foreign = with_env(sock);
        CHECK(foreign.socket == "/run/vigil/vigild.sock");
        CHECK(foreign.warnings.at(0).find("owned by uid 65534, not root") != std::string::npos);
        // --socket on the command line is the operator's explicit choice.
        ::setenv("VIGIL_SOCKET", sock.c_str(), 1);
        CHECK(parse_command_line({"--socket", "/x.sock", "status"}).socket == "/x.sock");
        ::unsetenv("VIGIL_SOCKET");
    }
    ::close(fd);
}
