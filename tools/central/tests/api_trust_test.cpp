// Fleet trust through the API (no HTTP): enrollment, certificate identity and data binding,
// revocation, operator roles, throttling and the audit log. Agents here hold real
// certificates from a real agent CA; the TLS layer's part (identify_peer) is the same code
// the server runs.
#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <vigil/common/task_signature.hpp>

#include <sstream>

#include "agent_ca.hpp"
#include "api.hpp"
#include "auth_tokens.hpp"
#include "client_trust.hpp"
#include "gzip.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "sha256.hpp"
#include "sqlite_storage.hpp"
#include "api_fixture.hpp"
#include "test_support.hpp"
#include "time_spec.hpp"
#include "tls_test_util.hpp"

using namespace vigil::central;

namespace {

const std::string kAdmin = new_secret_token("vgo_");
const std::string kResponder = new_secret_token("vgo_");
const std::string kViewer = new_secret_token("vgo_");

rapidjson::Document parse(const std::string& s) {
    rapidjson::Document d;
    REQUIRE_FALSE(json::parse(d, s));
    return d;
}

struct Agent {
    std::string id;
    PeerIdentity peer;
};

struct Fixture : central_test::ApiBackends {
    Api api{storage, broker, files, settings(), trust()};

    static ApiSettings settings() {
        ApiSettings s;
        s.operators = {OperatorCredential{"root", Role::admin, token_hash(kAdmin)},
                       OperatorCredential{"resp", Role::responder, token_hash(kResponder)},
                       OperatorCredential{"view", Role::viewer, token_hash(kViewer)}};
        s.max_decompressed_bytes = 1 << 20;
        return s;
    }

    Response op(const std::string& token, const std::string& method, const std::string& path,
                const std::string& body = "", const std::string& from = "192.0.2.10") {
        Request r;
        r.method = method;
        r.path = path.substr(0, path.find('?'));
        if (auto q = path.find('?'); q != std::string::npos) {  // one k=v pair is enough here
            std::string kv = path.substr(q + 1);
            r.query[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        }
        r.headers["authorization"] = "Bearer " + token;
        r.headers["content-type"] = "application/json";
        r.body = body;
        r.peer.remote_address = from;
        return api.handle(r);
    }

    std::string enrollment_token(int uses = 1, int expires_s = 3600) {
        auto r = op(kAdmin, "POST", "/api/v1/enrollments",
                    "{\"uses\":" + std::to_string(uses) + ",\"expires_s\":" + std::to_string(expires_s) + "}");
        REQUIRE(r.status == 201);
        return parse(r.body)["token"].GetString();
    }

    Response enroll_raw(const std::string& token, const std::string& id, const std::string& csr) {
        Request r;
        r.method = "POST";
        r.path = "/api/v1/agent/enroll";
        r.headers["authorization"] = "Bearer " + token;
        r.headers["content-type"] = "application/json";
        r.body = "{\"agent_id\":" + json::quote(id) + ",\"csr\":" + json::quote(csr) + ",\"hostname\":\"h-" + id + "\"}";
        r.peer.remote_address = "198.51.100.7";
        return api.handle(r);
    }

    Agent enroll(const std::string& id) {
        auto key = tls_test::new_ec_key();
        auto r = enroll_raw(enrollment_token(), id, tls_test::csr_pem(key.get(), id));
        REQUIRE(r.status == 200);
        auto cert = tls_test::parse_cert(parse(r.body)["certificate"].GetString());
        return Agent{id, identify_peer(cert.get(), *ca, "198.51.100.7")};
    }

    Response as(const Agent& a, const std::string& method, const std::string& path, const std::string& body = "") {
        Request r;
        r.method = method;
        r.path = path.substr(0, path.find('?'));
        if (path.find("?wait=0") != std::string::npos) r.query["wait"] = "0";
        r.headers["content-type"] = "application/json";
        r.body = body;
        r.peer = a.peer;
        return api.handle(r);
    }

    Response sync(const Agent& a, const std::string& body_id) {
        return as(a, "POST", "/api/v1/agent/sync", "{\"agent_id\":" + json::quote(body_id) + ",\"hostname\":\"web\"}");
    }

    Response telemetry(const Agent& a, const std::string& body_id, int seq) {
        Request r;
        r.method = "POST";
        r.path = "/api/v1/agent/telemetry";
        r.headers["content-type"] = "application/json";
        r.headers["content-encoding"] = "gzip";
        r.body = gzip("{\"agent_id\":" + json::quote(body_id) + ",\"batch_seq\":" + std::to_string(seq) +
                      ",\"events\":[{\"class_uid\":1007,\"type\":\"process\",\"time\":1700000000000}]}");
        r.peer = a.peer;
        return api.handle(r);
    }

    std::string task(const std::string& agent, const std::string& type = "ping") {
        auto r = op(kAdmin, "POST", "/api/v1/tasks", "{\"agent_id\":" + json::quote(agent) + ",\"type\":\"" + type + "\"}");
        REQUIRE(r.status == 201);
        return parse(r.body)["id"].GetString();
    }

    std::vector<AuditRecord> audit(const std::string& action) {
        std::vector<AuditRecord> out;
        for (auto& a : storage.query_audit({}))
            if (a.action == action) out.push_back(a);
        return out;
    }
};

}  // namespace

TEST_CASE("enrollment: one certificate per token use, for the agent's own key; replays refused") {
    Fixture f;
    auto key = tls_test::new_ec_key();
    std::string token = f.enrollment_token(1);
    CHECK(token.rfind("vge_", 0) == 0);
    auto r = f.enroll_raw(token, "agent-a", tls_test::csr_pem(key.get(), "x"));
    REQUIRE(r.status == 200);
    auto d = parse(r.body);
    auto cert = tls_test::parse_cert(d["certificate"].GetString());
    CHECK(X509_check_private_key(cert.get(), key.get()) == 1);
    CHECK(d["renew_after_s"].GetInt64() < d["not_after_s"].GetInt64());
    CHECK(std::string(d["ca_certificate"].GetString()) == f.ca->certificate_pem());
    // The same token again (its one use is spent), an unknown token, an expired token.
    CHECK(f.enroll_raw(token, "agent-b", tls_test::csr_pem(key.get(), "x")).status == 401);
    CHECK(f.enroll_raw("vge_no-such-token-000000000000000000000000000", "agent-b", tls_test::csr_pem(key.get(), "x"))
              .status == 401);
    std::string expiring = f.enrollment_token(5, 60);
    f.storage.insert_enrollment(EnrollmentToken{"old1", token_hash("vge_expired"), "agent", 5, 0, 1, 2, "root"});
    CHECK(f.enroll_raw("vge_expired", "agent-c", tls_test::csr_pem(key.get(), "x")).status == 401);
    // An enrolled id cannot be taken over with another token.
    CHECK(f.enroll_raw(expiring, "agent-a", tls_test::csr_pem(key.get(), "x")).status == 409);
    CHECK(f.enroll_raw(expiring, "../x", tls_test::csr_pem(key.get(), "x")).status == 400);
    CHECK(f.enroll_raw(expiring, "agent-d", "garbage").status == 400);
    auto rows = f.audit("agent.enroll");
    REQUIRE(rows.size() >= 6);
    CHECK(rows[0].outcome == "ok");
    CHECK(rows[0].target == "agent-a");
    CHECK(rows[1].outcome.find("denied: invalid or expired enrollment token") == 0);
    CHECK(f.audit("enroll.create").at(0).actor == "root");
}

TEST_CASE("identity: the certificate names the agent; headers and bodies naming another are 403") {
    Fixture f;
    Agent a = f.enroll("agent-a");
    Agent b = f.enroll("agent-b");
    Request no_cert;
    no_cert.method = "POST";
    no_cert.path = "/api/v1/agent/sync";
    no_cert.headers["x-vigil-agent-id"] = "agent-b";
    CHECK(f.api.handle(no_cert).status == 401);  // a header alone is no identity
    CHECK(f.sync(a, "agent-a").status == 200);
    CHECK(f.sync(b, "agent-b").status == 200);
    CHECK(f.sync(a, "agent-b").status == 403);  // heartbeat spoof
    Request header_spoof;
    header_spoof.method = "GET";
    header_spoof.path = "/api/v1/agent/tasks";
    header_spoof.query["wait"] = "0";
    header_spoof.headers["x-vigil-agent-id"] = "agent-b";
    header_spoof.peer = a.peer;
    CHECK(f.api.handle(header_spoof).status == 403);
    CHECK(f.telemetry(a, "agent-b", 1).status == 403);
    CHECK(f.storage.find_agent("agent-b")->hostname == "web");
    auto refusals = f.audit("agent.identity");
    REQUIRE(refusals.size() == 3);
    CHECK(refusals[0].actor == "agent:agent-a");
    CHECK(refusals[0].target == "agent-b");
}

TEST_CASE("data binding: tasks, results, files and batch sequences belong to the authenticated agent") {
    Fixture f;
    Agent a = f.enroll("agent-a");
    Agent b = f.enroll("agent-b");
    std::string tb = f.task("agent-b", "get_file");
    // A polls: never B's task.
    auto poll_a = parse(f.as(a, "GET", "/api/v1/agent/tasks?wait=0").body);
    REQUIRE(poll_a.HasMember("tasks"));
    CHECK(poll_a["tasks"].Size() == 0);
    CHECK(f.storage.find_task(tb)->state == TaskState::pending);
    // A answers / uploads for B's task: as if it did not exist; B's task untouched.
    CHECK(f.as(a, "POST", "/api/v1/agent/tasks/" + tb + "/result", "{\"status\":\"ok\"}").status == 404);
    std::string evil = "forged evidence";
    std::istringstream in(evil);
    Request up;
    up.method = "PUT";
    up.path = "/api/v1/agent/tasks/" + tb + "/file";
    up.headers["content-type"] = "application/octet-stream";
    up.headers["x-vigil-sha256"] = Sha256::of(evil);
    up.body_stream = &in;
    up.peer = a.peer;
    CHECK(f.api.handle(up).status == 404);
    auto t = f.storage.find_task(tb);
    CHECK(t->state == TaskState::pending);
    CHECK_FALSE(t->file);
    // B's own result before delivery is refused; after delivery accepted.
    CHECK(f.as(b, "POST", "/api/v1/agent/tasks/" + tb + "/result", "{\"status\":\"ok\"}").status == 409);
    CHECK(parse(f.as(b, "GET", "/api/v1/agent/tasks?wait=0").body)["tasks"].Size() == 1);
    CHECK(f.as(b, "POST", "/api/v1/agent/tasks/" + tb + "/result", "{\"status\":\"ok\",\"result\":{\"n\":1}}").status ==
          200);
    // Pre-claiming B's batch sequence numbers as A fills only A's sequence space.
    for (int seq = 1; seq <= 3; ++seq) CHECK(f.telemetry(a, "agent-a", seq).status == 200);
    auto rb = f.telemetry(b, "agent-b", 2);
    CHECK(rb.status == 200);
    CHECK(parse(rb.body)["duplicate"].GetBool() == false);
}

TEST_CASE("revocation: refused at once, pending tasks cancelled, no new tasks, audited") {
    Fixture f;
    Agent a = f.enroll("agent-a");
    REQUIRE(f.sync(a, "agent-a").status == 200);
    std::string t1 = f.task("agent-a");
    CHECK(f.op(kResponder, "POST", "/api/v1/agents/agent-a/revoke", "{}").status == 403);
    auto r = f.op(kAdmin, "POST", "/api/v1/agents/agent-a/revoke", "{}");
    REQUIRE(r.status == 200);
    CHECK(parse(r.body)["cancelled_tasks"].GetInt() == 1);
    CHECK(f.revoked.revoked(a.peer.serial));
    CHECK(f.storage.find_task(t1)->state == TaskState::cancelled);
    CHECK(f.sync(a, "agent-a").status == 403);
    CHECK(f.as(a, "GET", "/api/v1/agent/tasks?wait=0").status == 403);
    CHECK(f.op(kAdmin, "POST", "/api/v1/tasks", "{\"agent_id\":\"agent-a\",\"type\":\"ping\"}").status == 409);
    CHECK(f.audit("agent.revoke").size() == 2);  // the responder's refused attempt and the admin's
    // A new token lets the host enroll again.
    Agent again = f.enroll("agent-a");
    CHECK(f.sync(again, "agent-a").status == 200);
}

TEST_CASE("roles: viewer reads, responder tasks except run_process/agent.*/raw, admin all; all audited") {
    Fixture f;
    Agent a = f.enroll("agent-a");
    REQUIRE(f.sync(a, "agent-a").status == 200);
    auto create = [&](const std::string& token, const std::string& type, const std::string& args = "{}") {
        return f.op(token, "POST", "/api/v1/tasks",
                    "{\"agent_id\":\"agent-a\",\"type\":\"" + type + "\",\"args\":" + args + "}").status;
    };
    CHECK(f.op(kViewer, "GET", "/api/v1/agents").status == 200);
    CHECK(create(kViewer, "ping") == 403);
    CHECK(create(kResponder, "ping") == 201);
    CHECK(create(kResponder, "isolate") == 201);
    CHECK(create(kResponder, "run_process", "{\"args\":[\"/bin/id\"]}") == 403);
    CHECK(create(kResponder, "agent.quarantine_delete") == 403);
    CHECK(create(kResponder, "isolation.on") == 403);
    CHECK(create(kResponder, "quarantine_restore", "{\"id\":\"q1\",\"path\":\"/etc/x\"}") == 403);
    CHECK(create(kResponder, "quarantine_restore", "{\"id\":\"q1\"}") == 201);
    CHECK(create(kAdmin, "run_process", "{\"args\":[\"/bin/id\"]}") == 201);
    CHECK(f.op(kResponder, "POST", "/api/v1/enrollments", "{}").status == 403);
    CHECK(f.op(kResponder, "GET", "/api/v1/audit").status == 403);
    auto rows = f.audit("task.create");
    REQUIRE(rows.size() == 9);
    CHECK(rows[0].actor == "view");
    CHECK(rows[0].outcome.find("denied:") == 0);
    CHECK(rows[1].outcome == "ok");
    CHECK(rows[3].actor == "resp");
    CHECK(rows[3].detail.find("run_process") != std::string::npos);
    CHECK(rows[3].outcome.find("denied: operator resp has role responder; this needs admin") == 0);
    CHECK(rows[8].actor == "root");
    CHECK(rows[8].outcome == "ok");
    CHECK(rows[8].source == "192.0.2.10");
    auto listed = parse(f.op(kAdmin, "GET", "/api/v1/audit?operator=resp").body);
    CHECK(listed["audit"].Size() == 8);  // 7 task attempts and the refused enrollment token
}

TEST_CASE("failed authentications are throttled per address; the token is compared as a hash") {
    Fixture f;
    for (int i = 0; i < 10; ++i) CHECK(f.op("vgo_wrong" + std::to_string(i), "GET", "/api/v1/agents", "", "203.0.113.5").status == 401);
    auto blocked = f.op(kAdmin, "GET", "/api/v1/agents", "", "203.0.113.5");
    CHECK(blocked.status == 429);
    CHECK(blocked.headers.count("Retry-After") == 1);
    CHECK(f.op(kAdmin, "GET", "/api/v1/agents", "", "203.0.113.6").status == 200);  // other addresses unaffected
    CHECK(f.audit("auth").size() == 10);
    // Enrollment tokens share the throttle.
    auto key = tls_test::new_ec_key();
    for (int i = 0; i < 10; ++i) CHECK(f.enroll_raw("vge_bad", "x", tls_test::csr_pem(key.get(), "x")).status == 401);
    CHECK(f.enroll_raw(f.enrollment_token(), "x", tls_test::csr_pem(key.get(), "x")).status == 429);
}

TEST_CASE("renewal: with the current certificate, not while it is new, for the same id") {
    Fixture f;
    Agent a = f.enroll("agent-a");
    auto key = tls_test::new_ec_key();
    std::string body = "{\"csr\":" + json::quote(tls_test::csr_pem(key.get(), "x")) + "}";
    CHECK(f.as(a, "POST", "/api/v1/agent/renew", body).status == 429);  // brand new
    Agent aged = a;
    aged.peer.not_after_s = now_ns() / 1000000000 + 100;  // near its end
    auto r = f.as(aged, "POST", "/api/v1/agent/renew", body);
    REQUIRE(r.status == 200);
    auto cert = tls_test::parse_cert(parse(r.body)["certificate"].GetString());
    CHECK(f.ca->identify(cert.get())->agent_id == "agent-a");
    CHECK(f.storage.certificates("agent-a").size() == 2);
    CHECK(f.as(aged, "POST", "/api/v1/agent/renew", "{\"agent_id\":\"agent-b\",\"csr\":\"x\"}").status == 403);
    CHECK(f.audit("agent.renew").size() == 1);
}

TEST_CASE("token randomness estimate") {
    CHECK(estimated_entropy_bits("vigil-demo-operator-token-change-me") < kMinTokenBits);
    CHECK(estimated_entropy_bits("operator-token-12345-0123456789") < kMinTokenBits);
    CHECK(estimated_entropy_bits("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") == 0);
    CHECK(estimated_entropy_bits(std::string(64, 'a') + "0123456789") < kMinTokenBits);
    CHECK(estimated_entropy_bits(Sha256::of("x")) >= 200);  // 64 hex digits
    for (int i = 0; i < 50; ++i) CHECK(estimated_entropy_bits(new_secret_token("vgo_")) >= kMinTokenBits);
}

TEST_CASE("signed tasks: the operator's id, time and args text are kept and delivered verbatim") {
    Fixture f;
    Agent a = f.enroll("agent-a");
    REQUIRE(f.sync(a, "agent-a").status == 200);
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* p = nullptr;
    long n = BIO_get_mem_data(bio, &p);
    std::string pem(p, static_cast<size_t>(n));
    BIO_free(bio);
    EVP_PKEY_free(key);

    const std::string args = "{\"id\":\"q1\",  \"n\":1.50}";  // not compact: kept as signed
    vigil::common::SignedTaskFields fields{new_task_id(), "agent-a", "quarantine_restore", now_ns(),
                                           now_ns() + 3600000000000LL, args};
    std::string key_id;
    std::string value = vigil::common::ed25519_sign(pem, vigil::common::task_signing_bytes(fields), key_id);
    auto body = [&](const std::string& id, int64_t created, const std::string& sig_args) {
        return "{\"agent_id\":\"agent-a\",\"type\":\"quarantine_restore\",\"id\":\"" + id +
               "\",\"created_ns\":" + std::to_string(created) + ",\"signature\":{\"alg\":\"ed25519\",\"key_id\":\"" +
               key_id + "\",\"expires_ns\":" + std::to_string(fields.expires_ns) + ",\"args\":" + json::quote(sig_args) +
               ",\"value\":\"" + value + "\"}}";
    };
    auto r = f.op(kResponder, "POST", "/api/v1/tasks", body(fields.task_id, fields.created_ns, args));
    REQUIRE(r.status == 201);
    CHECK(f.op(kResponder, "POST", "/api/v1/tasks", body(fields.task_id, fields.created_ns, args)).status == 409);
    CHECK(f.op(kResponder, "POST", "/api/v1/tasks", body(new_task_id(), 5, args)).status == 400);  // stale clock
    CHECK(f.op(kResponder, "POST", "/api/v1/tasks", body(new_task_id(), fields.created_ns, "[1]")).status == 400);
    CHECK(f.op(kResponder, "POST", "/api/v1/tasks",
               "{\"agent_id\":\"agent-a\",\"type\":\"ping\",\"id\":\"" + new_task_id() + "\"}")
              .status == 400);  // an id of one's choice only with a signature

    Request poll;
    poll.method = "GET";
    poll.path = "/api/v1/agent/tasks";
    poll.query["wait"] = "0";
    poll.peer = a.peer;
    std::string delivered = f.api.handle(poll).body;
    CHECK(delivered.find("\"args\":" + args) != std::string::npos);  // byte for byte
    auto d = parse(delivered);
    REQUIRE(d["tasks"].Size() == 1);
    const auto& t = d["tasks"][0];
    CHECK(std::string(t["id"].GetString()) == fields.task_id);
    CHECK(t["created_ns"].GetInt64() == fields.created_ns);
    CHECK(std::string(t["signature"]["args"].GetString()) == args);
    CHECK(std::string(t["signature"]["value"].GetString()) == value);
    CHECK(f.audit("task.create").back().outcome.find("failed") == 0);
}
