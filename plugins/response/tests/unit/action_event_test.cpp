#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "action_event.hpp"
#include "results.hpp"

using namespace vigil::response;

TEST_CASE("response_action_event: payload carries what was asked, by whom, and the result") {
    ActionRecord r;
    r.action = "get_file";
    r.object = "/etc/hostname";
    r.origin = "task:4f2a";
    r.correlation_id = 77;
    r.status = VIGIL_OK;
    r.args_json = R"({"path":"/etc/hostname"})";
    r.result_json = R"({"size":5})";
    auto b = build_action_payload(r);
    auto v = vigil::view<vigil_action_result>(b.data(), b.size());
    REQUIRE(v.valid);
    CHECK(v->status == VIGIL_OK);
    CHECK(v->correlation_id == 77);
    CHECK(v.str(v->action) == "get_file");
    CHECK(v.str(v->object) == "/etc/hostname");
    CHECK(v.str(v->origin) == "task:4f2a");
    CHECK(v.str(v->error).empty());
    rapidjson::Document d;
    std::string details(v.str(v->details_json));
    d.Parse(details.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["command"].GetString()) == "response.get_file");
    CHECK(std::string(d["task_id"].GetString()) == "4f2a");
    CHECK(std::string(d["args"]["path"].GetString()) == "/etc/hostname");
    CHECK(d["result"]["size"].GetInt() == 5);
    CHECK(d["ok"].GetBool());
}

TEST_CASE("response_action_event: errors and odd input stay valid JSON") {
    ActionRecord r;
    r.action = "delete_file";
    r.object = "/tmp/\xFF";
    r.origin = "vigilctl";
    r.status = VIGIL_EINVAL;
    r.error = "invalid arguments";
    r.args_json = "{not json";
    auto b = build_action_payload(r);
    auto v = vigil::view<vigil_action_result>(b.data(), b.size());
    CHECK(v->status == VIGIL_EINVAL);
    CHECK(v.str(v->error) == "invalid arguments");
    rapidjson::Document d;
    std::string details(v.str(v->details_json));
    d.Parse(details.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["args"].IsString());
    CHECK(d["result"].IsNull());
    CHECK_FALSE(d.HasMember("task_id"));
    CHECK(std::string(d["error"].GetString()) == "invalid arguments");
}

TEST_CASE("response_results: run_process result with capped output for events") {
    RunOutcome o;
    o.pid = 10;
    o.executable = "/bin/echo";
    o.argv = {"/bin/echo", "x"};
    o.exited = true;
    o.exit_code = 0;
    o.out.data = std::string(100, 'a');
    o.out.total_bytes = 100;
    o.start_ns = 1'000'000'000;
    o.end_ns = 3'000'000'000;
    std::string full = run_process_result_json(o, 10, false);
    std::string small = run_process_result_json(o, 10, true, 10);
    rapidjson::Document d;
    d.Parse(full.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["exit_code"].GetInt() == 0);
    CHECK(d["signal"].IsNull());
    CHECK(d["duration_ms"].GetInt() == 2000);
    CHECK(d["stdout"].GetStringLength() == 100);
    CHECK_FALSE(d["stdout_truncated"].GetBool());
    d.Parse(small.c_str());
    CHECK(d["stdout"].GetStringLength() == 10);
    CHECK(d["stdout_truncated"].GetBool());
    CHECK(d["timeout_limited_by_command_deadline"].GetBool());
    o.exited = false;
    o.term_signal = 9;
    d.Parse(run_process_result_json(o, 1, false).c_str());
    CHECK(d["exit_code"].IsNull());
    CHECK(std::string(d["signal_name"].GetString()) == "SIGKILL");
}
