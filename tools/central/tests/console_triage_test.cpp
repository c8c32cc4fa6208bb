// Detection triage through the Api: listing with the current state, status changes for one or
// many detections, closing needs a reason, history of who changed what, role enforcement,
// refusal of ids that are not detections, and the audit row.
#include <doctest/doctest.h>

#include "api.hpp"
#include "api_fixture.hpp"
#include "auth_tokens.hpp"
#include "json.hpp"
#include "time_spec.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kResponder = "triage-responder-token-0123456789";
constexpr const char* kViewer = "triage-viewer-token-0123456789";

ApiSettings triage_settings() {
    ApiSettings s;
    s.operators = {OperatorCredential{"rita", Role::responder, token_hash(kResponder)},
                   OperatorCredential{"vic", Role::viewer, token_hash(kViewer)}};
    return s;
}

struct Fixture : central_test::ApiBackends {
    std::vector<int64_t> detections;
    int64_t process_event = 0;
    Api api{storage, broker, files, triage_settings(), trust()};

    Fixture() {
        const int64_t now = now_ns();
        std::vector<EventInput> in;
        for (int i = 0; i < 3; ++i)
            in.push_back(EventInput{"detection", 2004, now - i, R"({"finding_info":{"title":"t)" + std::to_string(i) + "\"}}", "t"});
        in.push_back(EventInput{"process", 1007, now, R"({"process":{"pid":1}})", "p"});
        storage.store_batch("agent-1", 1, now, in);
        EventQuery q;
        q.since_ns = 0;
        for (const auto& e : storage.query_events(q)) {
            if (e.type == "detection") detections.push_back(e.id);
            if (e.type == "process") process_event = e.id;
        }
    }
    Response call(const char* token, const std::string& method, const std::string& path, const std::string& body = "") {
        return api.handle(Request{.method = method,
                                  .path = path,
                                  .headers = {{"authorization", std::string("Bearer ") + token},
                                              {"content-type", "application/json"}},
                                  .body = body});
    }
    rapidjson::Document list(const std::string& query = "") {
        Request r;
        r.method = "GET";
        r.path = "/api/v1/detections";
        r.headers["authorization"] = std::string("Bearer ") + kViewer;
        r.query["history"] = "true";
        if (!query.empty()) r.query["status"] = query;
        Response resp = api.handle(r);
        REQUIRE(resp.status == 200);
        rapidjson::Document d;
        REQUIRE_FALSE(json::parse(d, resp.body));
        return d;
    }
    std::string ids(std::initializer_list<size_t> which) {
        std::string out;
        for (size_t i : which) out += (out.empty() ? "" : ",") + std::to_string(detections[i]);
        return "[" + out + "]";
    }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "detections start new; changes are kept as history and audited") {
    REQUIRE(detections.size() == 3);
    auto all = list();
    REQUIRE(all["detections"].Size() == 3);
    for (const auto& d : all["detections"].GetArray()) CHECK(std::string(d["triage"]["status"].GetString()) == "new");
    auto ack = call(kResponder, "POST", "/api/v1/detections/triage",
                    R"({"event_ids":)" + ids({0, 1}) + R"(,"status":"acknowledged","assignee":"rita","note":"looking"})");
    CHECK(ack.status == 200);
    CHECK(list("acknowledged")["detections"].Size() == 2);
    CHECK(list("new")["detections"].Size() == 1);
    auto no_reason = call(kResponder, "POST", "/api/v1/detections/triage", R"({"event_ids":)" + ids({0}) + R"(,"status":"closed"})");
    CHECK(no_reason.status == 400);
    CHECK(no_reason.body.find("reason") != std::string::npos);
    CHECK(call(kResponder, "POST", "/api/v1/detections/triage",
               R"({"event_ids":)" + ids({0}) + R"(,"status":"closed","reason":"false positive: admin script"})")
              .status == 200);
    auto closed = list("closed");
    REQUIRE(closed["detections"].Size() == 1);
    const auto& d = closed["detections"][0];
    CHECK(std::string(d["triage"]["reason"].GetString()) == "false positive: admin script");
    REQUIRE(d["history"].Size() == 2);
    CHECK(std::string(d["history"][0]["status"].GetString()) == "acknowledged");
    CHECK(std::string(d["history"][0]["by"].GetString()) == "rita");
    AuditQuery aq;
    bool audited = false;
    for (const auto& a : storage.query_audit(aq))
        audited = audited || (a.action == "detection.triage" && a.detail.find("false positive") != std::string::npos);
    CHECK(audited);
}

TEST_CASE_FIXTURE(Fixture, "triage refuses viewers, non-detections and malformed requests") {
    CHECK(call(kViewer, "POST", "/api/v1/detections/triage", R"({"event_ids":)" + ids({0}) + R"(,"status":"acknowledged"})")
              .status == 403);
    auto not_detection = call(kResponder, "POST", "/api/v1/detections/triage",
                              R"({"event_ids":[)" + std::to_string(detections[1]) + "," + std::to_string(process_event) +
                                  R"(],"status":"acknowledged"})");
    CHECK(not_detection.status == 404);
    CHECK(list("acknowledged")["detections"].Size() == 0);  // nothing of the refused batch was kept
    for (const char* bad : {R"({"event_ids":[],"status":"new"})", R"({"event_ids":[1],"status":"bogus"})",
                            R"({"event_ids":["1"],"status":"new"})", R"({"event_ids":[1],"status":"new","note":5})",
                            R"({"status":"new"})"})
        CHECK_MESSAGE(call(kResponder, "POST", "/api/v1/detections/triage", bad).status == 400, bad);
}
