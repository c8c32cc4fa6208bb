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

namespace {

constexpr const char* kResponderToken = "agents-labels-responder-0123456789";

struct LabelsFixture : AgentsFixture {
    Api api2{storage, broker, files, settings2(), trust()};
    static ApiSettings settings2() {
        ApiSettings s = settings();
        s.operators.push_back(OperatorCredential{"rita", Role::responder, token_hash(kResponderToken)});
        return s;
    }
    Response label(const std::string& agent_id, const std::string& body, const char* token = kResponderToken) {
        Request r;
        r.method = "POST";
        r.path = "/api/v1/agents/" + agent_id + "/labels";
        r.headers["authorization"] = std::string("Bearer ") + token;
        r.headers["content-type"] = "application/json";
        r.body = body;
        r.content_length = body.size();
        r.peer.remote_address = "10.2.2.2";
        return api2.handle(r);
    }
};

}  // namespace

TEST_CASE_FIXTURE(LabelsFixture, "agent labels: stored, shown, filterable by tag, searchable, audited") {
    agent(1, kMin, false, "10.0.0.1");
    agent(2, kMin, false, "10.0.0.2");
    Response set = label("agent-2", R"({"tags":["PCI","web-tier","pci"],"note":"owner: <b>payments</b>"})");
    REQUIRE(set.status == 200);
    CHECK(set.body.find(R"("tags":["pci","web-tier"])") != std::string::npos);
    auto page = get({{"tag", "pci"}, {"limit", "10"}});
    CHECK(hosts(page) == "Host-02 ");
    const auto& a = page["agents"][0];
    CHECK(std::string(a["note"].GetString()) == "owner: <b>payments</b>");
    CHECK(std::string(a["labels_updated_by"].GetString()) == "rita");
    CHECK(a["tags"].Size() == 2);
    CHECK(hosts(get({{"tag", "pc"}, {"limit", "10"}})).empty());  // whole tags only
    CHECK(hosts(get({{"q", "PAYMENTS"}, {"limit", "10"}})) == "Host-02 ");
    CHECK(hosts(get({{"q", "web-tier"}, {"limit", "10"}})) == "Host-02 ");
    auto unlabelled = get({{"id", "agent-1"}, {"limit", "1"}});
    CHECK(unlabelled["agents"][0]["tags"].Size() == 0);
    // Replacing: the old tag is gone; a sync of the agent keeps the labels.
    REQUIRE(label("agent-2", R"({"tags":["db"]})").status == 200);
    agent(2, kMin, true, "10.0.0.2");
    CHECK(hosts(get({{"tag", "pci"}, {"limit", "10"}})).empty());
    CHECK(hosts(get({{"tag", "db"}, {"limit", "10"}})) == "Host-02 ");
    bool audited = false;
    for (const auto& rec : storage.query_audit(AuditQuery{}))
        if (rec.action == "agent.labels" && rec.target == "agent-2" && rec.outcome == "ok" &&
            rec.detail.find("pci,web-tier") != std::string::npos)
            audited = true;
    CHECK(audited);
}

TEST_CASE_FIXTURE(LabelsFixture, "agent labels: refused for viewers, bad tags, long notes and unknown agents") {
    agent(1, kMin, false, "10.0.0.1");
    CHECK(label("agent-1", R"({"tags":["a"]})", kToken).status == 403);
    CHECK(label("agent-1", R"({"tags":["has space"]})").status == 400);
    CHECK(label("agent-1", R"({"tags":["<script>"]})").status == 400);
    CHECK(label("agent-1", R"({"tags":[""]})").status == 400);
    CHECK(label("agent-1", R"({"tags":[7]})").status == 400);
    CHECK(label("agent-1", R"({"tags":"a"})").status == 400);
    CHECK(label("agent-1", R"({"note":")" + std::string(5000, 'x') + "\"}").status == 400);
    CHECK(label("agent-9", R"({"tags":["a"]})").status == 404);
    CHECK(label("agent-1", "not json").status == 400);
    CHECK(get({{"id", "agent-1"}, {"limit", "1"}})["agents"][0]["tags"].Size() == 0);
    int status = 0;
    get({{"tag", "bad tag"}}, &status);
    CHECK(status == 400);
}
