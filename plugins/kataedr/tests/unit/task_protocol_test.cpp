#include "task_protocol.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <stdexcept>
#include <string>
#include <vector>

using namespace vigil::kataedr;

TEST_CASE("task poll: well-formed tasks") {
    auto p = parse_task_poll(R"({"tasks":[
        {"id":"t-1","type":"ping","args":{},"created_ns":5,"timeout_s":30},
        {"id":"t-2","type":"get_file","args":{"path":"/etc/hosts"}},
        {"id":"t-3","type":"ioc_scan","args":null}]})");
    REQUIRE(p.tasks.size() == 3);
    CHECK(p.rejected.empty());
    CHECK(p.tasks[0].timeout_s == 30);
    CHECK(p.tasks[0].created_ns == 5);
    CHECK(p.tasks[1].args_json == R"({"path":"/etc/hosts"})");
    CHECK(p.tasks[2].args_json == "{}");
    CHECK(parse_task_poll(R"({"tasks":[]})").tasks.empty());
}

TEST_CASE("task poll: malformed entries become error results, the rest still runs") {
    auto p = parse_task_poll(R"({"tasks":[
        {"id":"a","type":"ping","args":[1,2]},
        {"id":"b","type":7},
        {"id":"c"},
        {"id":"d","type":"ping","timeout_s":-1},
        {"id":"e f","type":"ping"},
        {"type":"ping"},
        {"id":"","type":"ping"},
        {"id":12,"type":"ping"},
        42,
        {"id":"ok","type":"ping"}]})");
    REQUIRE(p.tasks.size() == 1);
    CHECK(p.tasks[0].id == "ok");
    REQUIRE(p.rejected.size() == 5);
    CHECK(p.rejected[0].id == "a");
    CHECK(p.rejected[0].reason.find("invalid arguments") != std::string::npos);
    CHECK(p.rejected[1].reason.find("type") != std::string::npos);
    CHECK(p.rejected[2].id == "c");
    CHECK(p.rejected[3].reason.find("timeout_s") != std::string::npos);
    CHECK(p.rejected[4].id == "e f");
    CHECK(p.unanswerable == 4);
}

TEST_CASE("task poll: a broken answer as a whole throws") {
    CHECK_THROWS_AS(parse_task_poll("<html>"), std::invalid_argument);
    CHECK_THROWS_AS(parse_task_poll("[]"), std::invalid_argument);
    CHECK_THROWS_AS(parse_task_poll(R"({"tasks":{}})"), std::invalid_argument);
    CHECK_THROWS_AS(parse_task_poll(""), std::invalid_argument);
}

TEST_CASE("task routing follows PROTOCOL.md") {
    CHECK(route_task("ping").kind == TaskRoute::Kind::ping);
    CHECK(route_task("get_file").command == "response.get_file");
    CHECK(route_task("delete_file").command == "response.delete_file");
    CHECK(route_task("run_process").command == "response.run_process");
    CHECK(route_task("terminate_process").command == "response.terminate_process");
    CHECK(route_task("ioc_scan").command == "ioc_scanner.scan");
    CHECK(route_task("isolate").command == "isolation.on");
    CHECK(route_task("release").command == "isolation.off");
    CHECK(route_task("scan_file").command == "file_threat.scan");
    CHECK(route_task("set_prevention_list").command == "file_threat.set_prevention_list");
    CHECK(route_task("quarantine_restore").command == "agent.quarantine_restore");
    auto direct = route_task("isolation.status");
    CHECK(direct.kind == TaskRoute::Kind::command);
    CHECK(direct.command == "isolation.status");
    for (const char* bad : {"nonsense", "a.b.c", ".x", "x.", "Isolation.On", "x y.z", ""})
        CHECK(route_task(bad).kind == TaskRoute::Kind::unknown);
}

TEST_CASE("task results are valid JSON bodies") {
    auto check = [](const std::string& body, const char* status) {
        rapidjson::Document d;
        d.Parse(body.data(), body.size());
        REQUIRE_FALSE(d.HasParseError());
        CHECK(std::string(d["status"].GetString()) == status);
        return d;
    };
    auto a = check(task_result_ok(R"({"pong":true})"), "ok");
    CHECK(a["result"]["pong"].GetBool());
    CHECK(a["error"].IsNull());
    auto b = check(task_result_ok("plain text"), "ok");
    CHECK(std::string(b["result"]["output"].GetString()) == "plain text");
    auto c = check(task_result_ok(""), "ok");
    CHECK(c["result"].IsNull());
    auto e = check(task_result_error("unknown task type \"x\""), "error");
    CHECK(std::string(e["error"].GetString()) == "unknown task type \"x\"");
    CHECK(e["result"].IsNull());
    CHECK(url_path_segment("a b/c") == "a%20b%2Fc");
}
