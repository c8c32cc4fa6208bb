// Api: request validation and the agent/operator endpoints without HTTP.
#include "api.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent_ca.hpp"
#include "api_error.hpp"
#include "auth_tokens.hpp"
#include "gzip.hpp"
#include "json.hpp"
#include "sha256.hpp"
#include "sqlite_storage.hpp"
#include "api_fixture.hpp"
#include "test_support.hpp"
#include "time_spec.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kToken = "test-token-0123456789";
constexpr const char* kAgent = "5b1c0a3e-1111-2222-3333-444455556666";

struct Fixture : central_test::ApiBackends {
    Api api{storage, broker, files, settings(), trust()};

    static ApiSettings settings() {
        ApiSettings s;
        s.operators = {OperatorCredential{"tester", Role::admin, token_hash(kToken)}};
        s.max_decompressed_bytes = 1 << 20;
        s.long_poll_max_s = 60;
        return s;
    }

    // As the TLS layer reports an agent certificate of the agent CA (the certificate itself is
    // exercised in api_trust_test and the integration tests).
    static PeerIdentity agent_peer(const std::string& id) {
        return PeerIdentity{"127.0.0.1", true, true, id, "0a" + id.substr(0, 4), INT64_MAX};
    }
    // After a sync, a task poll of the agent waiting up to 60 s on its own thread, and
    // `wake` run `delay` after it began: the answer and how long the poll took.
    std::pair<Response, std::chrono::steady_clock::duration> woken_poll(std::chrono::milliseconds delay,
                                                                        const std::function<void()>& wake) {
        REQUIRE(sync().status == 200);
        Request poll = agent_request("GET", "/api/v1/agent/tasks");
        poll.query["wait"] = "60";
        const auto start = std::chrono::steady_clock::now();
        Response got;
        std::thread poller([&] { got = api.handle(poll); });
        std::this_thread::sleep_for(delay);
        wake();
        poller.join();
        return {got, std::chrono::steady_clock::now() - start};
    }
    Request agent_request(const std::string& method, const std::string& path, const std::string& body = "") {
        Request r;
        r.method = method;
        r.path = path;
        r.peer = agent_peer(kAgent);
        r.headers["content-type"] = "application/json";
        r.body = body;
        return r;
    }
    Request operator_request(const std::string& method, const std::string& path,
                             const std::string& body = "") {
        Request r;
        r.method = method;
        r.path = path;
        r.headers["authorization"] = std::string("Bearer ") + kToken;
        r.headers["content-type"] = "application/json";
        r.body = body;
        return r;
    }
    Response sync() {
        return api.handle(
            agent_request("POST", "/api/v1/agent/sync",
                          std::string("{\"agent_id\":\"") + kAgent +
                              "\",\"hostname\":\"web-1\",\"os\":\"Debian 12\",\"kernel\":\"6.1\","
                              "\"agent_version\":\"0.1.0\",\"ips\":[\"10.0.0.5\"],\"plugins\":{}}"));
    }
    Request telemetry(const std::string& json) {
        Request r = agent_request("POST", "/api/v1/agent/telemetry", gzip(json));
        r.headers["content-encoding"] = "gzip";
        return r;
    }
    std::string create_task(const std::string& body) {
        Response r = api.handle(operator_request("POST", "/api/v1/tasks", body));
        REQUIRE(r.status == 201);
        rapidjson::Document d;
        REQUIRE_FALSE(json::parse(d, r.body));
        return d["id"].GetString();
    }
};

std::string batch(int seq, const std::string& events) {
    return std::string("{\"agent_id\":\"") + kAgent + "\",\"batch_seq\":" + std::to_string(seq) +
           ",\"events\":[" + events + "]}";
}

const std::string kProcessEvent =
    R"({"class_uid":1007,"class_name":"Process Activity","activity_id":1,"activity_name":"Launch","time":1700000000123,"type":"process","process":{"pid":7,"cmd_line":"curl marker_q1"}})";

rapidjson::Document parse(const std::string& s) {
    rapidjson::Document d;
    REQUIRE_FALSE(json::parse(d, s));
    return d;
}

std::string error_of(const Response& r) { return json::string_or(parse(r.body), "error"); }

}  // namespace

TEST_CASE("json::parse refuses a NUL byte, which RapidJSON reads as the end of input") {
    rapidjson::Document d;
    auto err = json::parse(d, std::string_view("{}\0{\"x\":1}", 9));
    REQUIRE(err);
    CHECK(err->find("offset 2: NUL byte") != std::string::npos);
}

TEST_CASE("telemetry: stored once, retries are duplicates") {
    Fixture f;
    REQUIRE(f.sync().status == 200);
    auto r = f.api.handle(f.telemetry(batch(1, kProcessEvent + "," + kProcessEvent)));
    REQUIRE(r.status == 200);
    CHECK(r.body == "{\"stored\":2,\"duplicate\":false}");
    r = f.api.handle(f.telemetry(batch(1, kProcessEvent + "," + kProcessEvent)));
    CHECK(r.body == "{\"stored\":0,\"duplicate\":true}");
    CHECK(f.storage.stats().events == 2);
    auto rows = f.storage.query_events({});
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].time_ns == 1700000000123000000);
    CHECK(rows[0].type == "process");
}

TEST_CASE("telemetry: each kind of bad request gets its 4xx and a reason") {
    Fixture f;
    // Unknown agent (never synced).
    auto r = f.api.handle(f.telemetry(batch(1, kProcessEvent)));
    CHECK(r.status == 404);
    CHECK(error_of(r).find("sync first") != std::string::npos);
    REQUIRE(f.sync().status == 200);

    Request wrong_type = f.telemetry(batch(1, kProcessEvent));
    wrong_type.headers["content-type"] = "text/plain";
    CHECK(f.api.handle(wrong_type).status == 415);

    Request not_gzip = f.telemetry(batch(1, kProcessEvent));
    not_gzip.headers.erase("content-encoding");
    CHECK(f.api.handle(not_gzip).status == 415);

    Request corrupt = f.telemetry(batch(1, kProcessEvent));
    corrupt.body = "\x1f\x8b garbage";
    CHECK(f.api.handle(corrupt).status == 400);

    Request truncated = f.telemetry(batch(1, kProcessEvent));
    truncated.body.resize(truncated.body.size() / 2);
    CHECK(f.api.handle(truncated).status == 400);

    Request no_cert = f.telemetry(batch(1, kProcessEvent));
    no_cert.peer = PeerIdentity{};
    no_cert.headers["x-vigil-agent-id"] = kAgent;  // a header is no identity
    CHECK(f.api.handle(no_cert).status == 401);

    CHECK(f.api.handle(f.telemetry("{not json")).status == 400);
    CHECK(f.api.handle(f.telemetry("[1,2]")).status == 400);
    CHECK(f.api.handle(f.telemetry(R"({"agent_id":"other","batch_seq":1,"events":[]})")).status == 403);
    CHECK(f.api
              .handle(f.telemetry(std::string("{\"agent_id\":\"") + kAgent +
                                  "\",\"batch_seq\":-1,\"events\":[]}"))
              .status == 400);

    r = f.api.handle(f.telemetry(batch(2, kProcessEvent + R"(,{"class_uid":1007,"type":"process"})")));
    CHECK(r.status == 400);
    CHECK(error_of(r).find("events[1].time") != std::string::npos);
    r = f.api.handle(f.telemetry(batch(2, R"({"class_uid":1007,"type":"Bad Type","time":1})")));
    CHECK(error_of(r).find("events[0].type") != std::string::npos);
    r = f.api.handle(f.telemetry(batch(2, R"({"class_uid":"x","type":"file","time":1})")));
    CHECK(error_of(r).find("events[0].class_uid") != std::string::npos);
    std::string deep(100, '[');
    deep += std::string(100, ']');
    r = f.api.handle(f.telemetry(batch(2, R"({"class_uid":1,"type":"file","time":1,"x":)" + deep + "}")));
    CHECK(r.status == 400);

    // A gzip bomb stops at the decompression limit (1 MiB in this fixture).
    r = f.api.handle(f.telemetry(std::string(8 << 20, ' ')));
    CHECK(r.status == 413);
    // Nothing of the rejected batches was stored, and seq 2 is still free.
    CHECK(f.storage.stats().events == 0);
    CHECK(f.api.handle(f.telemetry(batch(2, kProcessEvent))).status == 200);
}

TEST_CASE("sync validates and registers the agent") {
    Fixture f;
    CHECK(f.api.handle(f.agent_request("POST", "/api/v1/agent/sync", "{\"agent_id\":\"x\"}")).status == 403);
    CHECK(f.api
              .handle(f.agent_request("POST", "/api/v1/agent/sync",
                                      std::string("{\"agent_id\":\"") + kAgent + "\",\"hostname\":5}"))
              .status == 400);
    Request bad_id = f.agent_request("POST", "/api/v1/agent/sync", "{}");
    bad_id.headers["x-vigil-agent-id"] = "../../etc/passwd";
    CHECK(f.api.handle(bad_id).status == 403);  // names another agent than the certificate
    auto r = f.sync();
    REQUIRE(r.status == 200);
    CHECK(parse(r.body)["sync_period_s"].GetInt() == 300);
    auto agents = f.api.handle(f.operator_request("GET", "/api/v1/agents"));
    REQUIRE(agents.status == 200);
    auto d = parse(agents.body);
    REQUIRE(d["agents"].Size() == 1);
    CHECK(std::string(d["agents"][0]["hostname"].GetString()) == "web-1");
    CHECK(std::string(d["agents"][0]["ips"][0].GetString()) == "10.0.0.5");
}

TEST_CASE("operator endpoints need a valid bearer token") {
    Fixture f;
    Request none = f.operator_request("GET", "/api/v1/agents");
    none.headers.erase("authorization");
    auto r = f.api.handle(none);
    CHECK(r.status == 401);
    CHECK(r.headers.count("WWW-Authenticate") == 1);
    Request wrong = f.operator_request("GET", "/api/v1/events");
    wrong.headers["authorization"] = "Bearer test-token-0123456788";
    CHECK(f.api.handle(wrong).status == 401);
    Request basic = f.operator_request("GET", "/api/v1/events");
    basic.headers["authorization"] = "Basic dXNlcjpwYXNz";
    CHECK(f.api.handle(basic).status == 401);
    CHECK(f.api.handle(f.operator_request("GET", "/api/v1/stats")).status == 200);
}

TEST_CASE("event query parameters are validated") {
    Fixture f;
    auto q = [&](const std::string& k, const std::string& v) {
        Request r = f.operator_request("GET", "/api/v1/events");
        r.query[k] = v;
        return f.api.handle(r).status;
    };
    CHECK(q("limit", "0") == 400);
    CHECK(q("limit", "10001") == 400);
    CHECK(q("limit", "abc") == 400);
    CHECK(q("limit", "10000") == 200);
    CHECK(q("since", "yesterday") == 400);
    CHECK(q("since", "10m") == 200);
    CHECK(q("until", "2026-11-29T02:00:00Z") == 200);
    CHECK(q("type", "DROP TABLE") == 400);
    CHECK(q("agent", "a b") == 400);
    CHECK(q("text", "it's \"quoted\" (x) OR y*") == 200);
}

TEST_CASE("events come back with filters, newest last, raw event embedded") {
    Fixture f;
    REQUIRE(f.sync().status == 200);
    REQUIRE(f.api.handle(f.telemetry(batch(1, kProcessEvent))).status == 200);
    Request r = f.operator_request("GET", "/api/v1/events");
    r.query["text"] = "marker_q1";
    r.query["type"] = "process";
    auto d = parse(f.api.handle(r).body);
    REQUIRE(d["events"].Size() == 1);
    CHECK(std::string(d["events"][0]["agent_id"].GetString()) == kAgent);
    CHECK(d["events"][0]["event"]["process"]["pid"].GetInt() == 7);
    r.query["type"] = "network";
    CHECK(parse(f.api.handle(r).body)["events"].Size() == 0);
}

TEST_CASE("tasks: create validation, delivery by poll, result, conflicts") {
    Fixture f;
    CHECK(f.api
              .handle(f.operator_request("POST", "/api/v1/tasks",
                                         std::string("{\"agent_id\":\"") + kAgent + "\",\"type\":\"ping\"}"))
              .status == 404);  // unknown agent
    REQUIRE(f.sync().status == 200);
    auto create = [&](const std::string& body) {
        return f.api.handle(f.operator_request("POST", "/api/v1/tasks", body));
    };
    const std::string agent_field = std::string("\"agent_id\":\"") + kAgent + "\"";
    CHECK(create("{" + agent_field + ",\"type\":\"Bad Type\"}").status == 400);
    CHECK(create("{" + agent_field + ",\"type\":\"ping\",\"args\":[1]}").status == 400);
    CHECK(create("{" + agent_field + ",\"type\":\"ping\",\"timeout_s\":0}").status == 400);
    Request wrong_ct = f.operator_request("POST", "/api/v1/tasks", "{" + agent_field + ",\"type\":\"ping\"}");
    wrong_ct.headers["content-type"] = "application/x-www-form-urlencoded";
    CHECK(f.api.handle(wrong_ct).status == 415);

    std::string id =
        f.create_task("{" + agent_field + ",\"type\":\"get_file\",\"args\":{\"path\":\"/etc/hostname\"}}");
    Request poll = f.agent_request("GET", "/api/v1/agent/tasks");
    poll.query["wait"] = "0";
    auto d = parse(f.api.handle(poll).body);
    REQUIRE(d["tasks"].Size() == 1);
    CHECK(std::string(d["tasks"][0]["id"].GetString()) == id);
    CHECK(std::string(d["tasks"][0]["args"]["path"].GetString()) == "/etc/hostname");
    CHECK(parse(f.api.handle(poll).body)["tasks"].Size() == 0);  // delivered once
    poll.query["wait"] = "61";
    CHECK(f.api.handle(poll).status == 400);

    std::string result_path = "/api/v1/agent/tasks/" + id + "/result";
    CHECK(f.api.handle(f.agent_request("POST", result_path, "{\"status\":\"maybe\"}")).status == 400);
    Request other_agent = f.agent_request("POST", result_path, "{\"status\":\"ok\"}");
    other_agent.peer = Fixture::agent_peer("someone-else");
    f.storage.upsert_agent(AgentRecord{"someone-else", "h", "", "", "", "{}", 1, 1});
    CHECK(f.api.handle(other_agent).status == 404);  // another agent's task does not exist for it
    CHECK(f.api
              .handle(f.agent_request("POST", result_path,
                                      "{\"status\":\"ok\",\"result\":{\"n\":1},\"error\":null}"))
              .status == 200);
    CHECK(
        f.api.handle(f.agent_request("POST", result_path, "{\"status\":\"error\",\"error\":\"x\"}")).status ==
        409);
    auto shown = parse(f.api.handle(f.operator_request("GET", "/api/v1/tasks/" + id)).body);
    CHECK(std::string(shown["state"].GetString()) == "done");
    CHECK(shown["result"]["n"].GetInt() == 1);
    CHECK(f.api.handle(f.operator_request("GET", "/api/v1/tasks/0123")).status == 404);
    CHECK(parse(f.api.handle(f.operator_request("GET", "/api/v1/tasks")).body)["tasks"].Size() == 1);
}

TEST_CASE("long poll returns as soon as a task is created") {
    Fixture f;
    std::string id;
    const auto [got, waited] = f.woken_poll(std::chrono::milliseconds(200), [&] {
        id = f.create_task(std::string("{\"agent_id\":\"") + kAgent + "\",\"type\":\"ping\"}");
    });
    auto d = parse(got.body);
    REQUIRE(d["tasks"].Size() == 1);
    CHECK(std::string(d["tasks"][0]["id"].GetString()) == id);
    // Woken by the task, not by the 60 s timeout (the bound only tells the two apart).
    CHECK(waited < std::chrono::seconds(30));
}

TEST_CASE("shutdown releases waiting polls") {
    Fixture f;
    const auto [got, waited] = f.woken_poll(std::chrono::milliseconds(100), [&] { f.broker.shutdown(); });
    CHECK(got.status == 200);
    CHECK(parse(got.body)["tasks"].Size() == 0);
    // Released by shutdown, not by the 60 s timeout (the bound only tells the two apart).
    CHECK(waited < std::chrono::seconds(30));
}

TEST_CASE("file upload: streamed, verified, downloadable; mismatches are 422") {
    Fixture f;
    REQUIRE(f.sync().status == 200);
    std::string id = f.create_task(std::string("{\"agent_id\":\"") + kAgent + "\",\"type\":\"get_file\"}");
    std::string content(300000, 'x');
    for (size_t i = 0; i < content.size(); i += 7) content[i] = static_cast<char>(i % 251);
    auto upload = [&](const std::string& sha, std::optional<uint64_t> len) {
        std::istringstream in(content);
        Request r = f.agent_request("PUT", "/api/v1/agent/tasks/" + id + "/file");
        r.headers["content-type"] = "application/octet-stream";
        r.headers["x-vigil-sha256"] = sha;
        r.body_stream = &in;
        r.content_length = len;
        return f.api.handle(r);
    };
    CHECK(upload(Sha256::of(content), content.size()).status == 409);  // not delivered yet
    Request poll = f.agent_request("GET", "/api/v1/agent/tasks");
    poll.query["wait"] = "0";
    REQUIRE(parse(f.api.handle(poll).body)["tasks"].Size() == 1);
    CHECK(upload(std::string(64, '0'), content.size()).status == 422);
    CHECK(upload("zz", content.size()).status == 400);
    CHECK(upload(Sha256::of(content), content.size() + 1).status == 422);
    CHECK(f.api.handle(f.operator_request("GET", "/api/v1/tasks/" + id + "/file")).status == 404);
    auto ok = upload(Sha256::of(content), content.size());
    REQUIRE(ok.status == 200);
    CHECK(parse(ok.body)["size"].GetUint64() == content.size());
    auto dl = f.api.handle(f.operator_request("GET", "/api/v1/tasks/" + id + "/file"));
    REQUIRE(dl.status == 200);
    CHECK(dl.content_type == "application/octet-stream");
    std::ifstream stored(dl.file_path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(stored)), std::istreambuf_iterator<char>());
    CHECK(bytes == content);
    // No partial files remain from the failed attempts.
    int files = 0;
    for (auto& e : std::filesystem::directory_iterator(f.files.dir())) files += e.is_regular_file();
    CHECK(files == 1);
}

TEST_CASE("routing: unknown endpoints 404, wrong methods 405, body limits by endpoint") {
    Fixture f;
    CHECK(f.api.handle(f.operator_request("GET", "/nope")).status == 404);
    CHECK(f.api.handle(f.operator_request("GET", "/api/v1/nope")).status == 404);
    CHECK(f.api.handle(f.operator_request("DELETE", "/api/v1/agents")).status == 405);
    CHECK(f.api.handle(f.operator_request("GET", "/api/v1/health")).status == 200);
    CHECK(f.api.body_policy("POST", "/api/v1/agent/telemetry").max_bytes == 64ull << 20);
    CHECK(f.api.body_policy("POST", "/api/v1/agent/sync").max_bytes == 1 << 20);
    CHECK(f.api.body_policy("PUT", "/api/v1/agent/tasks/x/file").stream);
}

TEST_CASE("time specs: RFC 3339, ns, relative") {
    const int64_t now = 1800000000LL * 1000000000;
    CHECK(parse_time_spec("2026-11-29T02:00:00Z", now) == 1795917600LL * 1000000000);
    CHECK(parse_time_spec("2026-11-29T03:00:00.5+01:00", now) == 1795917600LL * 1000000000 + 500000000);
    CHECK(parse_time_spec("12345", now) == 12345);
    CHECK(parse_time_spec("10m", now) == now - 600LL * 1000000000);
    CHECK(parse_time_spec("2d", now) == now - 172800LL * 1000000000);
    CHECK_FALSE(parse_time_spec("2026-11-29T02:00:00", now));  // no zone
    CHECK_FALSE(parse_time_spec("2026-02-30T02:00:00Z", now));
    CHECK_FALSE(parse_time_spec("10x", now));
    CHECK_FALSE(parse_time_spec("-5", now));
    CHECK_FALSE(parse_time_spec("", now));
    // Found by the endpoint fuzzer: values whose nanoseconds do not fit an int64.
    CHECK_FALSE(parse_time_spec("57438127260d", now));
    CHECK_FALSE(parse_time_spec("3153600000d", now));
    CHECK_FALSE(parse_time_spec("9999-12-31T23:59:59Z", now));
    CHECK(parse_time_spec("2200-01-01T00:00:00Z", now));
}

TEST_CASE("gzip round trip, concatenated members, limits") {
    std::string plain(100000, 'a');
    CHECK(gunzip(gzip(plain), 1 << 20) == plain);
    CHECK(gunzip(gzip("ab") + gzip("cd"), 100) == "abcd");
    CHECK_THROWS_AS(gunzip(gzip(plain), 1000), ApiError);
    CHECK(gunzip(gzip(""), 10).empty());
}

// The agent's side of a long poll can vanish silently (the host's isolation ends the agent's
// connections; the proxy in between never hears of it): a task must go to the agent's newest
// poll, not into the one it gave up.
TEST_CASE("a newer long poll of an agent supersedes its older one") {
    Fixture f;
    REQUIRE(f.sync().status == 200);
    Request poll = f.agent_request("GET", "/api/v1/agent/tasks");
    poll.query["wait"] = "60";
    Response old_answer, new_answer;
    auto start = std::chrono::steady_clock::now();
    std::thread old_poll([&] { old_answer = f.api.handle(poll); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::thread new_poll([&] { new_answer = f.api.handle(poll); });
    old_poll.join();  // answered as soon as the newer poll came, without tasks
    CHECK(old_answer.status == 409);
    CHECK(old_answer.body.find("newer task poll") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
    std::string id = f.create_task(std::string("{\"agent_id\":\"") + kAgent + "\",\"type\":\"ping\"}");
    new_poll.join();
    auto d = parse(new_answer.body);
    REQUIRE(d["tasks"].Size() == 1);
    CHECK(std::string(d["tasks"][0]["id"].GetString()) == id);
}
