// The console's agents page (GET /api/v1/agents with paging and filters) answered by the
// database: order, paging, text search over host facts and addresses, state and isolation
// filters, an exact id, the CSV export, and derived columns kept true when an agent syncs again.
#include <doctest/doctest.h>

#include <string>

#include "api.hpp"
#include "api_fixture.hpp"
#include "auth_tokens.hpp"
#include "json.hpp"
#include "time_spec.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kToken = "agents-page-token-0123456789";
constexpr int64_t kMin = 60ll * 1000000000;

struct AgentsFixture : central_test::ApiBackends {
    Api api{storage, broker, files, settings(), trust()};
    int64_t now = now_ns();

    static ApiSettings settings() {
        ApiSettings s;
        s.operators = {OperatorCredential{"vera", Role::viewer, token_hash(kToken)}};
        return s;
    }
    void agent(int i, int64_t seen_ago_ns, bool isolated, const std::string& ip) {
        const std::string n = std::to_string(i);
        storage.upsert_agent(AgentRecord{"agent-" + n, "Host-" + std::string(i < 10 ? "0" : "") + n, "Debian 12", "6.1",
                                         "0.1." + n,
                                         R"({"ips":[")" + ip + R"("],"isolation":{"isolated":)" +
                                             (isolated ? "true" : "false") + "}}",
                                         now - seen_ago_ns, now - seen_ago_ns});
    }
    rapidjson::Document get(std::map<std::string, std::string> query, int* status = nullptr) {
        Request r;
        r.method = "GET";
        r.path = "/api/v1/agents";
        r.query = std::move(query);
        r.headers["authorization"] = std::string("Bearer ") + kToken;
        Response resp = api.handle(r);
        if (status) *status = resp.status;
        rapidjson::Document d;
        REQUIRE(!json::parse(d, resp.body));
        return d;
    }
    static std::string hosts(const rapidjson::Document& d) {
        std::string out;
        for (const auto& a : d["agents"].GetArray()) out += std::string(a["hostname"].GetString()) + " ";
        return out;
    }
};

}  // namespace

TEST_CASE_FIXTURE(AgentsFixture, "agents page: order by host, paging, total and offset") {
    for (int i = 12; i >= 0; --i) agent(i, kMin, false, "10.0.0." + std::to_string(i));
    auto page = get({{"offset", "5"}, {"limit", "3"}});
    CHECK(hosts(page) == "Host-05 Host-06 Host-07 ");
    CHECK(page["total"].GetInt() == 13);
    CHECK(page["offset"].GetInt() == 5);
    auto past = get({{"offset", "40"}, {"limit", "3"}});
    CHECK(past["agents"].Size() == 0);
    CHECK(past["total"].GetInt() == 13);
    CHECK(get({})["agents"].Size() == 13);  // no paging parameters: every agent (the CLI)
    int status = 0;
    get({{"limit", "0"}}, &status);
    CHECK(status == 400);
}

TEST_CASE_FIXTURE(AgentsFixture, "agents page: search, state, isolation and id filters run in the database") {
    agent(1, 1 * kMin, false, "10.9.8.7");      // online
    agent(2, 30 * kMin, true, "192.168.77.2");  // stale, isolated
    agent(3, 300 * kMin, false, "10.0.0.3");    // offline
    CHECK(hosts(get({{"q", "10.9.8"}, {"limit", "50"}})) == "Host-01 ");
    CHECK(hosts(get({{"q", "HOST-0"}, {"limit", "50"}})) == "Host-01 Host-02 Host-03 ");
    CHECK(hosts(get({{"q", "0.1.3"}, {"limit", "50"}})) == "Host-03 ");   // version
    CHECK(hosts(get({{"q", "%"}, {"limit", "50"}})).empty());             // LIKE characters are text
    CHECK(hosts(get({{"q", "debian 12"}, {"limit", "50"}})) == "Host-01 Host-02 Host-03 ");
    CHECK(hosts(get({{"state", "online"}, {"limit", "50"}})) == "Host-01 ");
    CHECK(hosts(get({{"state", "stale"}, {"limit", "50"}})) == "Host-02 ");
    CHECK(hosts(get({{"state", "offline"}, {"limit", "50"}})) == "Host-03 ");
    CHECK(hosts(get({{"isolated", "true"}, {"limit", "50"}})) == "Host-02 ");
    CHECK(hosts(get({{"isolated", "false"}, {"state", "offline"}, {"limit", "50"}})) == "Host-03 ");
    CHECK(hosts(get({{"id", "agent-2"}, {"limit", "50"}})) == "Host-02 ");
    // A new sync changes what the filters see (the derived columns follow the row).
    agent(2, 30 * kMin, false, "172.16.0.9");
    CHECK(hosts(get({{"isolated", "true"}, {"limit", "50"}})).empty());
    CHECK(hosts(get({{"q", "172.16"}, {"limit", "50"}})) == "Host-02 ");
    CHECK(hosts(get({{"q", "192.168.77"}, {"limit", "50"}})).empty());
    int status = 0;
    get({{"state", "gone"}}, &status);
    CHECK(status == 400);
}

TEST_CASE_FIXTURE(AgentsFixture, "agents page: a sync that is not JSON leaves the agent findable, not isolated") {
    storage.upsert_agent(AgentRecord{"agent-x", "odd", "", "", "", "{not json", now, now});
    CHECK(hosts(get({{"q", "odd"}, {"limit", "5"}})) == "odd ");
    CHECK(hosts(get({{"isolated", "false"}, {"limit", "5"}})) == "odd ");
}

TEST_CASE_FIXTURE(AgentsFixture, "agents CSV export follows the filter") {
    agent(1, kMin, false, "10.0.0.1");
    agent(2, kMin, true, "10.0.0.2");
    Request r;
    r.method = "GET";
    r.path = "/api/v1/agents";
    r.query = {{"isolated", "true"}, {"format", "csv"}};
    r.headers["authorization"] = std::string("Bearer ") + kToken;
    Response csv = api.handle(r);
    CHECK(csv.status == 200);
    CHECK(csv.content_type.rfind("text/csv", 0) == 0);
    CHECK(csv.body.find("agent-2,Host-02,") != std::string::npos);
    CHECK(csv.body.find("agent-1,") == std::string::npos);
    CHECK(csv.body.find(",online,true,") != std::string::npos);
}
