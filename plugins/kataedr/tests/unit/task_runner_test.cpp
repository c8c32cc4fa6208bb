#include "task_runner.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <vigil/plugin.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_util.hpp"

using namespace vigil::kataedr;
using kataedr_test::TempDir;

namespace {

// Drives the task runner without a server: commands are answered by a table,
// results land in the journal (what the poster thread would send).
struct Fixture {
    TempDir dir;
    ConnectionState state;
    TaskJournal journal{dir.str() + "/tasks"};
    std::vector<std::string> sent;  // commands the runner sent
    std::map<std::string, std::tuple<int, std::string, std::string>> answers;
    std::shared_ptr<TaskRunner> runner;

    Fixture() {
        TaskRunner::Options o;
        o.agent_id = "agent-1";
        o.default_timeout_s = 7;
        runner = std::make_shared<TaskRunner>(
            o, std::make_shared<ChannelConfig>(), state, journal,
            [this](const std::string& /*origin*/, const std::string& name, const std::string& args, uint32_t timeout_ms,
                   TaskRunner::Done done) {
                sent.push_back(name + " " + args + " " + std::to_string(timeout_ms));
                auto it = answers.find(name);
                if (it == answers.end()) throw std::runtime_error("refused by the host");
                done(std::get<0>(it->second), std::get<1>(it->second), std::get<2>(it->second));
            },
            [] {}, [](int, const std::string&) {});
    }

    rapidjson::Document result(const std::string& id) {
        auto e = journal.find(id);
        REQUIRE(e);
        rapidjson::Document d;
        d.Parse(e->result_body.c_str());
        REQUIRE_FALSE(d.HasParseError());
        return d;
    }
    std::string error_of(const std::string& id) {
        auto d = result(id);
        REQUIRE(d["error"].IsString());
        return d["error"].GetString();
    }
};

}  // namespace

TEST_CASE("task runner: ping, commands and their errors each get one result") {
    Fixture f;
    f.answers["test.echo"] = {VIGIL_OK, R"({"echo":1})", ""};
    f.answers["isolation.on"] = {VIGIL_EDISABLED, "", ""};
    f.answers["response.get_file"] = {VIGIL_ETIMEDOUT, "", ""};
    f.answers["ioc_scanner.scan"] = {VIGIL_EINVAL, "", "missing \"files\""};
    f.runner->handle_poll(parse_task_poll(R"({"tasks":[
        {"id":"p","type":"ping"},
        {"id":"e","type":"test.echo","args":{"x":1},"timeout_s":3},
        {"id":"i","type":"isolate"},
        {"id":"g","type":"get_file","args":{"path":"/x"}},
        {"id":"s","type":"ioc_scan"},
        {"id":"u","type":"frobnicate"},
        {"id":"h","type":"nohandler.verb"},
        {"id":"m","type":"ping","args":"oops"}]})"));
    CHECK(f.result("p")["result"]["pong"].GetBool());
    CHECK(std::string(f.result("p")["result"]["agent_id"].GetString()) == "agent-1");
    CHECK(f.result("e")["result"]["echo"].GetInt() == 1);
    CHECK(f.error_of("i").find("plugin disabled") != std::string::npos);
    CHECK(f.error_of("g").find("timeout") != std::string::npos);
    CHECK(f.error_of("s") == "missing \"files\"");  // the plugin's own reason passes through
    CHECK(f.error_of("u") == "unknown task type \"frobnicate\"");
    CHECK(f.error_of("h").find("refused by the host") != std::string::npos);
    CHECK(f.error_of("m").find("invalid arguments") != std::string::npos);
    // Args and timeouts reach the bus unchanged (task timeout, else the default).
    CHECK(f.sent[0] == R"(test.echo {"x":1} 3000)");
    CHECK(f.sent[1] == "isolation.on {} 7000");
    CHECK(f.runner->queued_results() == 8);
    CHECK(f.runner->counters().succeeded == 2);
    CHECK(f.runner->counters().failed == 6);
}

TEST_CASE("task runner: a redelivered task is answered from the journal, not run again") {
    Fixture f;
    f.answers["test.once"] = {VIGIL_OK, R"({"n":1})", ""};
    const char* poll = R"({"tasks":[{"id":"t1","type":"test.once"}]})";
    f.runner->handle_poll(parse_task_poll(poll));
    f.runner->handle_poll(parse_task_poll(poll));
    CHECK(f.sent.size() == 1);
    CHECK(f.runner->counters().repeated == 1);
    CHECK(f.runner->queued_results() == 1);  // the same result once in the queue
    // After a restart (new runner, same journal) the task is still known.
    TaskRunner::Options o;
    int runs = 0;
    auto again = std::make_shared<TaskRunner>(
        o, std::make_shared<ChannelConfig>(), f.state, f.journal,
        [&](const std::string&, const std::string&, const std::string&, uint32_t, TaskRunner::Done d) { ++runs, d(0, "{}", ""); },
        [] {}, [](int, const std::string&) {});
    again->handle_poll(parse_task_poll(poll));
    CHECK(runs == 0);
    CHECK(again->counters().repeated == 1);
}

TEST_CASE("task runner: a result naming upload_file is journaled with the file to send") {
    Fixture f;
    f.answers["response.get_file"] = {
        VIGIL_OK, R"({"upload_file":"/tmp/x.bin","upload_file_delete":true,"size":3})", ""};
    f.runner->handle_poll(
        parse_task_poll(R"({"tasks":[{"id":"gf","type":"get_file","args":{"path":"/etc/hosts"}}]})"));
    auto e = f.journal.find("gf");
    REQUIRE(e);
    CHECK(e->upload_file == "/tmp/x.bin");
    CHECK(e->upload_delete);
    CHECK_FALSE(e->posted);
}
