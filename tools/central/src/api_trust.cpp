// Identity and administration endpoints: agent enrollment and renewal (certificates from
// the agent CA), enrollment tokens, revocation, and the audit log. Every operator action here
// is audited with its outcome.
#include <algorithm>

#include "agent_ca.hpp"
#include "api.hpp"
#include "api_error.hpp"
#include "api_util.hpp"
#include "auth_tokens.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

constexpr size_t kMaxCsrBytes = 16384;
constexpr int64_t kNs = 1000000000;

std::string csr_of(const rapidjson::Document& doc) {
    std::string csr = json::string_or(doc, "csr");
    if (csr.empty()) throw ApiError(400, "csr: missing (PEM certificate request)");
    if (csr.size() > kMaxCsrBytes) throw ApiError(400, "csr: longer than 16384 bytes");
    return csr;
}

int64_t int_field(const rapidjson::Document& doc, const char* name, int64_t fallback, int64_t min, int64_t max) {
    const auto* v = json::member(doc, name);
    if (!v || v->IsNull()) return fallback;
    if (!v->IsInt64() || v->GetInt64() < min || v->GetInt64() > max)
        throw ApiError(400, std::string(name) + ": must be an integer in " + std::to_string(min) + ".." +
                                std::to_string(max));
    return v->GetInt64();
}

void write_enrollment(json::Writer& w, const EnrollmentToken& t) {
    w.StartObject();
    json::write_members(w, "id", t.id, "role", t.role, "max_uses", t.max_uses, "uses", t.uses, "created_ns",
                        t.created_ns, "expires_ns", t.expires_ns, "created_by", t.created_by);
    w.EndObject();
}

void write_audit(json::Writer& w, const AuditRecord& a) {
    w.StartObject();
    json::write_members(w, "id", a.id, "time_ns", a.time_ns, "actor", a.actor, "role", a.role, "source",
                        a.source, "action", a.action, "target", a.target, "detail", a.detail, "outcome",
                        a.outcome);
    w.EndObject();
}

}  // namespace

Response Api::issue_certificate(const std::string& agent_id, std::string_view csr, int64_t now_s,
                                std::optional<std::string> enrollment_token_hash, const std::string& hostname) {
    if (!trust_.agent_ca) throw ApiError(503, "this server has no agent CA");
    IssuedCertificate issued;
    try {
        issued = trust_.agent_ca->issue(csr, agent_id, settings_.agent_cert_lifetime_s, now_s);
    } catch (const std::invalid_argument& e) {
        throw ApiError(400, e.what());
    }
    AgentCertificate record{issued.serial, agent_id, now_s * kNs, issued.not_after_s, std::nullopt};
    if (enrollment_token_hash) {
        AgentRecord agent{agent_id, hostname, "", "", "", "{}", now_s * kNs, now_s * kNs};
        switch (storage_.enroll_agent(*enrollment_token_hash, record, agent, now_s * kNs)) {
            case EnrollOutcome::enrolled:
                break;
            case EnrollOutcome::bad_token:
                throw ApiError(401, "invalid or expired enrollment token");
            case EnrollOutcome::already_enrolled:
                throw ApiError(409, "agent " + agent_id +
                                        " is already enrolled (revoke it with `vigil-central agents revoke` to "
                                        "enroll that id again)");
        }
    } else {
        storage_.add_certificate(record);
    }
    int64_t renew_after = issued.not_before_s + (issued.not_after_s - issued.not_before_s) * 2 / 3;
    return ok_json(json::object_text("agent_id", agent_id, "certificate", issued.pem, "ca_certificate",
                                     trust_.agent_ca->certificate_pem(), "serial", issued.serial,
                                     "not_before_s", issued.not_before_s, "not_after_s", issued.not_after_s,
                                     "renew_after_s", renew_after));
}

Response Api::agent_enroll(const Request& r) {
    if (!r.principal || r.principal->kind != Principal::Kind::enrollment)
        throw ApiError(401, "invalid or expired enrollment token");
    return audited(*this, r, "agent.enroll", "-", [&](std::string& target, std::string& detail) {
        const rapidjson::Document doc = json_body(r);
        std::string agent_id = json::string_or(doc, "agent_id");
        if (!valid_agent_id(agent_id))
            throw ApiError(400, "agent_id: missing or invalid (1-64 characters of [A-Za-z0-9._:-])");
        target = agent_id;
        std::string hostname = json::string_or(doc, "hostname").substr(0, 255);
        std::string token_sha = token_hash(r.header("authorization").substr(7));
        Response out = issue_certificate(agent_id, csr_of(doc), now_ns() / kNs, token_sha, hostname);
        detail = "hostname " + json::quote(hostname);
        return out;
    });
}

Response Api::agent_renew(const Request& r) {
    std::string id = agent_of(r, false);
    if (!r.peer.agent_cert) throw ApiError(401, "renewal needs the current agent certificate");
    const rapidjson::Document doc = json_body(r);
    std::string body_id = json::string_or(doc, "agent_id", id);
    if (body_id != id)
        refuse_identity(r, body_id, "agent_id " + json::quote(body_id) + " is not the authenticated agent");
    int64_t now_s = now_ns() / kNs;
    // A certificate in the first tenth of its life is not renewed: a looping client cannot
    // mint certificates.
    if (r.peer.not_after_s - now_s > settings_.agent_cert_lifetime_s * 9 / 10)
        throw ApiError(429, "certificate " + r.peer.serial + " is new; renew later",
                       {{"Retry-After", std::to_string(settings_.agent_cert_lifetime_s / 10)}});
    return audited(*this, r, "agent.renew", id, [&](std::string&, std::string& detail) {
        detail = "previous serial " + r.peer.serial;
        return issue_certificate(id, csr_of(doc), now_s, std::nullopt, "");
    });
}

Response Api::create_enrollment(const Request& r) {
    return audited(*this, r, "enroll.create", "-", [&](std::string& target, std::string& detail) {
        require_role(r, Role::admin);
        const rapidjson::Document doc = json_body(r);
        EnrollmentToken t;
        t.max_uses = int_field(doc, "uses", 1, 1, 100000);
        int64_t expires_s = int_field(doc, "expires_s", 86400, 60, settings_.max_enrollment_expiry_s);
        t.role = json::string_or(doc, "role", "agent");
        if (t.role != "agent") throw ApiError(400, "role: only \"agent\" enrollment tokens exist");
        std::string token = new_secret_token("vge_");
        t.id = new_public_id();
        t.token_sha256 = token_hash(token);
        t.created_ns = now_ns();
        t.expires_ns = t.created_ns + expires_s * kNs;
        t.created_by = r.principal->name;
        storage_.insert_enrollment(t);
        target = t.id;
        detail = "uses " + std::to_string(t.max_uses) + ", expires in " + std::to_string(expires_s) + " s";
        return ok_json("{\"id\":\"" + t.id + "\",\"token\":\"" + token + "\",\"role\":\"agent\",\"uses\":" +
                           std::to_string(t.max_uses) + ",\"expires_ns\":" + std::to_string(t.expires_ns) + "}",
                       201);
    });
}

Response Api::list_enrollments(const Request& r) {
    require_role(r, Role::admin);
    return list_json("enrollments", storage_.list_enrollments(), write_enrollment);
}

Response Api::revoke_agent(const Request& r, const std::string& agent_id) {
    return audited(*this, r, "agent.revoke", agent_id, [&](std::string&, std::string& detail) {
        require_role(r, Role::admin);
        if (!valid_agent_id(agent_id)) throw ApiError(400, "invalid agent id");
        auto certs = storage_.certificates(agent_id);
        if (certs.empty() && !storage_.find_agent(agent_id)) throw ApiError(404, "unknown agent " + agent_id);
        RevokeOutcome o = storage_.revoke_agent(agent_id, now_ns());
        if (trust_.revoked)
            for (const auto& c : certs) trust_.revoked->add(c.serial);
        broker_.notify(agent_id);  // a waiting long poll of that agent ends now
        detail = std::to_string(o.certificates) + " certificates revoked, " + std::to_string(o.cancelled_tasks) +
                 " tasks cancelled";
        return ok_json("{\"agent_id\":" + json::quote(agent_id) + ",\"revoked_certificates\":" +
                       std::to_string(o.certificates) + ",\"cancelled_tasks\":" + std::to_string(o.cancelled_tasks) +
                       "}");
    });
}

Response Api::query_audit(const Request& r) {
    require_role(r, Role::admin);
    AuditQuery q;
    q.since_ns = time_param(r, "since", now_ns());
    q.actor = str_param(r, "operator");
    if (q.actor && q.actor->size() > 256) throw ApiError(400, "operator: longer than 256 characters");
    q.limit = static_cast<uint32_t>(int_param(r, "limit", 1000, 1, 100000));
    return list_json("audit", storage_.query_audit(q), write_audit);
}

}  // namespace vigil::central
