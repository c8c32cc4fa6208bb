// The server-side process tree (GET /api/v1/process_tree): ancestors by parent pid (the newest
// event of a reused pid before its child), children started after the process, detections as
// badges on the process they name, a parent that was never stored, and the refusals.
#include <doctest/doctest.h>

#include <string>

#include "api.hpp"
#include "api_fixture.hpp"
#include "auth_tokens.hpp"
#include "json.hpp"
#include "time_spec.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kToken = "proctree-viewer-token-0123456789";
constexpr int64_t kS = 1000000000;

struct TreeFixture : central_test::ApiBackends {
    Api api{storage, broker, files, settings(), trust()};
    int64_t now = now_ns();
    int64_t seq = 0;

    static ApiSettings settings() {
        ApiSettings s;
        s.operators = {OperatorCredential{"vic", Role::viewer, token_hash(kToken)}};
        return s;
    }
    // Stores one event; returns its id (the newest stored row).
    int64_t event(const std::string& type, int64_t pid, int64_t ppid, const std::string& cmd, int64_t ago_s,
                  const std::string& agent = "agent-a") {
        std::string proc = R"({"pid":)" + std::to_string(pid) + R"(,"cmd_line":)" + json::quote(cmd) +
                           R"(,"parent_process":{"pid":)" + std::to_string(ppid) + R"(,"cmd_line":"parent of )" + cmd + "\"}}";
        std::string raw = type == "detection"
                              ? R"({"severity":"High","finding_info":{"title":"bad )" + cmd + R"("},"evidences":[{"process":)" + proc + "}]}"
                              : R"({"process":)" + proc + "}";
        storage.store_batch(agent, ++seq, now, {EventInput{type, type == "detection" ? 2004 : 1007, now - ago_s * kS, raw, cmd}});
        EventQuery q;
        q.agent_id = agent;
        q.limit = 1;
        q.text = cmd;
        return storage.query_events(q).back().id;
    }
    Response tree(const std::string& agent, int64_t id, bool with_time = true) {
        Request r;
        r.method = "GET";
        r.path = "/api/v1/process_tree";
        r.query = {{"agent", agent}, {"event", std::to_string(id)}};
        if (with_time) r.query["time_ns"] = std::to_string(now);
        r.headers["authorization"] = std::string("Bearer ") + kToken;
        return api.handle(r);
    }
    static std::string pids(const rapidjson::Value& nodes) {
        std::string out;
        for (const auto& n : nodes.GetArray()) out += std::to_string(n["pid"].GetInt64()) + " ";
        return out;
    }
};

}  // namespace

TEST_CASE_FIXTURE(TreeFixture, "process tree: ancestors, children and detection badges from stored events") {
    event("process", 10, 1, "old-owner-of-pid-20", 300);  // pid 20 before reuse: not an ancestor
    event("process", 20, 10, "stale twenty", 290);
    event("process", 20, 5, "init-child-twenty", 100);  // the newest pid 20 before its child
    event("process", 30, 20, "bash -c work", 90);
    const int64_t self = event("process", 40, 30, "worker --job 1", 80);
    event("process", 50, 40, "child one", 70);
    event("process", 51, 40, "child two", 60);
    event("process", 52, 40, "started-before", 85);  // before the process: a reused pid's child
    event("process", 60, 41, "unrelated", 60);
    event("detection", 51, 40, "child two", 55);
    event("detection", 40, 30, "worker --job 1", 75);
    event("process", 40, 30, "other agent", 80, "agent-b");
    Response resp = tree("agent-a", self);
    REQUIRE(resp.status == 200);
    rapidjson::Document d;
    REQUIRE(!json::parse(d, resp.body));
    CHECK(d["self"]["pid"].GetInt64() == 40);
    CHECK(d["self"]["event_id"].GetInt64() == self);
    CHECK(d["self"]["detections"].Size() == 1);
    CHECK(std::string(d["self"]["detections"][0]["title"].GetString()) == "bad worker --job 1");
    CHECK(pids(d["ancestors"]) == "5 20 30 ");  // root first; pid 5 was never stored
    CHECK(d["ancestors"][0]["event_id"].GetInt64() == 0);
    CHECK(std::string(d["ancestors"][0]["cmd_line"].GetString()) == "parent of init-child-twenty");
    CHECK(std::string(d["ancestors"][1]["cmd_line"].GetString()) == "init-child-twenty");
    CHECK(pids(d["children"]) == "50 51 ");
    CHECK(d["children"][1]["detections"].Size() == 1);
    CHECK(d["children"][0]["detections"].Size() == 0);
    CHECK(tree("agent-a", self, false).status == 200);  // time_ns defaults to now
}

TEST_CASE_FIXTURE(TreeFixture, "process tree: a detection's own tree; refusals") {
    event("process", 7, 1, "sh", 20);
    const int64_t det = event("detection", 7, 1, "sh", 10);
    Response resp = tree("agent-a", det);
    REQUIRE(resp.status == 200);
    CHECK(resp.body.find(R"("pid":7)") != std::string::npos);
    CHECK(tree("agent-b", det).status == 404);          // another agent's event
    CHECK(tree("agent-a", det + 1000).status == 404);   // no such event
    CHECK(tree("bad agent!", det).status == 400);
    CHECK(tree("agent-a", 0).status == 400);
}
