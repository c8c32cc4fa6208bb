#include <doctest/doctest.h>

#include "command_line.hpp"

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
