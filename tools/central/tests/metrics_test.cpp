// /metrics of the central node: counts come from aggregate queries and a running byte
// total, storage gauges are cached for a few seconds, routes never become per-agent labels.
#include <doctest/doctest.h>

#include <sstream>
#include <thread>

#include "api.hpp"
#include "auth_tokens.hpp"
#include "central_metrics.hpp"
#include "file_store.hpp"
#include "ids.hpp"
#include "sha256.hpp"
#include "sqlite_storage.hpp"
#include "test_support.hpp"
#include "time_spec.hpp"

using namespace vigil::central;

namespace {

AgentRecord agent(int i, int64_t last_seen_ns) {
    AgentRecord a;
    a.agent_id = "5b1c0a3e-1111-2222-3333-" + std::to_string(100000000000 + i);
    a.hostname = "host-" + std::to_string(i);
    a.os = "Debian 12";
    a.kernel = "6.1";
    a.agent_version = "0.1.0";
    a.info_json = "{}";
    a.first_seen_ns = last_seen_ns;
    a.last_seen_ns = last_seen_ns;
    return a;
}

TaskRecord task(const std::string& agent_id, TaskState state) {
    TaskRecord t;
    t.id = new_task_id();
    t.agent_id = agent_id;
    t.type = "ping";
    t.state = state;
    t.created_ns = now_ns();
    return t;
}

std::string sha256_hex(const std::string& data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.hex_digest();
}

std::string line_of(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(prefix, 0) == 0) return line;
    }
    return "";
}

}  // namespace

TEST_CASE("FileStore::bytes: counted once at start, then kept by receive") {
    central_test::TempDir dir;
    const std::string id1 = new_task_id(), id2 = new_task_id();
    {
        FileStore files{dir.path + "/files"};
        CHECK(files.bytes() == 0);
        std::istringstream in(std::string(1000, 'a'));
        files.receive(id1, in, sha256_hex(std::string(1000, 'a')), 1000, 1 << 20);
        CHECK(files.bytes() == 1000);
        std::istringstream again(std::string(400, 'b'));  // each upload is a file of its own
        files.receive(id1, again, sha256_hex(std::string(400, 'b')), 400, 1 << 20);
        CHECK(files.bytes() == 1400);
        std::istringstream bad(std::string(10, 'c'));  // rejected uploads count nothing
        CHECK_THROWS(files.receive(id2, bad, sha256_hex("other"), 10, 1 << 20));
        CHECK(files.bytes() == 1400);
    }
    FileStore reopened{dir.path + "/files"};
    CHECK(reopened.bytes() == 1400);
}

TEST_CASE("CentralMetrics::cached computes storage gauges at most once per max age") {
    CentralMetrics metrics;
    int computed = 0;
    auto compute = [&] {
        CentralMetrics::Gauges g;
        g.agents_online = uint64_t(++computed);
        return g;
    };
    for (int i = 0; i < 50; ++i) CHECK(metrics.cached(std::chrono::hours(1), compute).agents_online == 1);
    CHECK(computed == 1);
    CHECK(metrics.cached(std::chrono::seconds(0), compute).agents_online == 2);
}

TEST_CASE("GET /metrics: gauges from storage, viewers may read, no agent id anywhere") {
    central_test::TempDir dir;
    SqliteStorage storage{SqliteOptions{dir.path + "/c.db"}};
    TaskBroker broker;
    FileStore files{dir.path + "/files"};
    ApiSettings settings;
    settings.operators = {OperatorCredential{"viewer", Role::viewer, token_hash("test-token-0123456789")}};
    settings.database_path = dir.path + "/c.db";
    Api api{storage, broker, files, settings};
    const int64_t now = now_ns();
    storage.upsert_agent(agent(1, now));
    storage.upsert_agent(agent(2, now - 3600'000'000'000LL));
    storage.insert_task(task(agent(1, 0).agent_id, TaskState::error));

    Request r;
    r.method = "GET";
    r.path = "/metrics";
    CHECK(api.handle(r).status == 401);
    r.headers["authorization"] = "Bearer test-token-0123456789";
    Response out = api.handle(r);
    REQUIRE(out.status == 200);
    CHECK(out.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
    CHECK(line_of(out.body, "vigil_central_agents{state=\"online\"}") == "vigil_central_agents{state=\"online\"} 1");
    CHECK(line_of(out.body, "vigil_central_agents{state=\"offline\"}") == "vigil_central_agents{state=\"offline\"} 1");
    CHECK(line_of(out.body, "vigil_central_tasks{state=\"error\"}") == "vigil_central_tasks{state=\"error\"} 1");
    CHECK(line_of(out.body, "vigil_central_tasks{state=\"pending\"}") == "vigil_central_tasks{state=\"pending\"} 0");
    CHECK(line_of(out.body, "vigil_central_storage_bytes{kind=\"database\"}").size() > 0);
    CHECK(line_of(out.body, "vigil_central_long_polls_active") == "vigil_central_long_polls_active 0");
    CHECK(out.body.find(agent(1, 0).agent_id) == std::string::npos);
    CHECK(out.body.find("host-1") == std::string::npos);
}
