// Admission: who is calling. Agents are their client certificate (agent CA), operators and
// enrolling agents their bearer token (stored as SHA-256). Runs on the request head, before
// any body is read. Failed token attempts are throttled per source address and audited.
#include <openssl/crypto.h>

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

// The bearer token of an Authorization header; 401 when there is none.
std::string bearer_token(const Request& r) {
    std::string auth = r.header("authorization");
    if (auth.empty()) throw ApiError(401, "missing bearer token (Authorization: Bearer <token>)");
    if (auth.size() < 7 || lower(auth.substr(0, 7)) != "bearer ") throw ApiError(401, "Authorization must be Bearer");
    return auth.substr(7);
}

std::string actor_of(const Request& r) {
    if (!r.principal) return "-";
    switch (r.principal->kind) {
        case Principal::Kind::agent:
            return "agent:" + r.principal->name;
        case Principal::Kind::enrollment:
            return "enrollment:" + r.principal->name;
        case Principal::Kind::operator_:
            return r.principal->name;
        case Principal::Kind::anonymous:
            break;
    }
    return "-";
}

std::string role_of(const Request& r) {
    if (!r.principal) return "-";
    if (r.principal->kind == Principal::Kind::operator_) return to_string(r.principal->role);
    if (r.principal->kind == Principal::Kind::agent) return "agent";
    return "-";
}

}  // namespace

void Api::authenticate(Request& r) {
    if (r.path == "/metrics") {  // for operators (any role), like the rest of the operator API
        r.principal = authenticate_operator(r);
        return;
    }
    auto parts = path_parts(r.path);
    if (parts.empty() || (parts[0] == "health" && parts.size() == 1)) {
        r.principal = Principal{};
        return;
    }
    if (parts[0] == "console" && parts.size() == 2 && parts[1] == "session" && r.method == "POST") {
        r.principal = Principal{};  // the login itself: console_login checks the token
        return;
    }
    if (parts[0] == "agent" && parts.size() == 2 && parts[1] == "enroll") {
        r.principal = authenticate_enrollment(r);
        return;
    }
    r.principal = parts[0] == "agent" ? authenticate_agent(r) : authenticate_operator(r);
}

void Api::check_throttle(const Request& r) {
    if (int64_t wait = throttle_.retry_after_s(r.peer.remote_address))
        throw ApiError(429, "too many failed authentications from " + r.peer.remote_address + "; retry in " +
                                std::to_string(wait) + " s",
                       {{"Retry-After", std::to_string(wait)}});
}

void Api::refuse_identity(const Request& r, const std::string& claimed, const std::string& why) {
    // Audited (at most 10 rows a minute per address, so a looping client cannot flood the
    // log), then refused. This throttle only limits the audit rows, never the agent.
    const std::string key = "identity:" + r.peer.remote_address;
    if (throttle_.retry_after_s(key) == 0) {
        throttle_.record_failure(key);
        std::string agent = r.principal ? r.principal->name : r.peer.agent_id;
        AuditRecord a{0, now_ns(), "agent:" + agent, "agent", r.peer.remote_address, "agent.identity",
                      claimed, why, "denied"};
        storage_.append_audit(a);
    }
    throw ApiError(403, why);
}

Principal Api::authenticate_agent(const Request& r) {
    std::string header = r.header("x-vigil-agent-id");
    Principal p;
    p.kind = Principal::Kind::agent;
    if (r.peer.agent_cert && trust_.agent_ca) {
        p.name = r.peer.agent_id;
        if (trust_.revoked && trust_.revoked->revoked(r.peer.serial))
            refuse_identity(r, p.name, "agent certificate " + r.peer.serial + " is revoked");
        if (!header.empty() && header != r.peer.agent_id)
            refuse_identity(r, header,
                            "X-Vigil-Agent-Id " + json::quote(header) + " is not the agent of the client certificate (" +
                                r.peer.agent_id + ")");
        return p;
    }
    // X-Vigil-Agent-Id alone is no identity: anyone can send any header.
    throw ApiError(401, "agent certificate required: enroll first (POST /api/v1/agent/enroll)");
}

std::optional<Principal> Api::operator_for_token_hash(const std::string& presented) {
    // Digests of equal length are compared, every configured one, so neither the content nor
    // the length of a token shows in the timing.
    const OperatorCredential* match = nullptr;
    for (const auto& op : settings_.operators) {
        if (op.token_sha256.size() == presented.size() &&
            CRYPTO_memcmp(op.token_sha256.data(), presented.data(), presented.size()) == 0)
            match = &op;
    }
    Principal p;
    p.kind = Principal::Kind::operator_;
    if (match) {
        p.name = match->name;
        p.role = match->role;
        return p;
    }
    if (auto stored = storage_.find_operator_by_token(presented)) {
        if (auto role = role_from_string(stored->role)) {
            p.name = stored->name;
            p.role = *role;
            return p;
        }
    }
    return std::nullopt;
}

Principal Api::authenticate_operator(const Request& r) {
    // A browser sends the console's session cookie and no bearer token.
    if (r.header("authorization").empty() && !r.header("cookie").empty()) return authenticate_session(r);
    check_throttle(r);
    std::string presented = token_hash(bearer_token(r));
    if (auto p = operator_for_token_hash(presented)) return *p;
    throttle_.record_failure(r.peer.remote_address);
    audit(r, "auth", r.path, "operator bearer token", "denied: invalid bearer token");
    throw ApiError(401, "invalid bearer token");
}

Principal Api::authenticate_enrollment(const Request& r) {
    check_throttle(r);
    std::string presented = token_hash(bearer_token(r));
    auto t = storage_.find_enrollment(presented);
    if (!t || t->uses >= t->max_uses || t->expires_ns <= now_ns()) {
        throttle_.record_failure(r.peer.remote_address);
        audit(r, "agent.enroll", "-", t ? "enrollment token " + t->id : "unknown token",
              "denied: invalid or expired enrollment token");
        // One reason for unknown, expired and used-up tokens: nothing to learn from it.
        throw ApiError(401, "invalid or expired enrollment token");
    }
    Principal p;
    p.kind = Principal::Kind::enrollment;
    p.name = t->id;
    return p;
}

std::string Api::agent_of(const Request& r, bool must_exist) {
    if (!r.principal || r.principal->kind != Principal::Kind::agent)
        throw ApiError(401, "agent endpoint: the request is not authenticated as an agent");
    const std::string& id = r.principal->name;
    if (must_exist && !storage_.find_agent(id)) throw ApiError(404, "unknown agent " + id + ", sync first");
    return id;
}

void Api::require_role(const Request& r, Role role) {
    if (!r.principal || r.principal->kind != Principal::Kind::operator_)
        throw ApiError(401, "operator endpoint: missing bearer token (Authorization: Bearer <token>)");
    if (static_cast<int>(r.principal->role) < static_cast<int>(role))
        throw ApiError(403, "operator " + r.principal->name + " has role " + to_string(r.principal->role) +
                                "; this needs " + to_string(role));
}

void Api::audit(const Request& r, const std::string& action, const std::string& target, const std::string& detail,
                const std::string& outcome) {
    AuditRecord a;
    a.time_ns = now_ns();
    a.actor = actor_of(r);
    a.role = role_of(r);
    a.source = r.peer.remote_address.empty() ? "-" : r.peer.remote_address;
    a.action = action;
    a.target = target;
    a.detail = detail.size() > 4096 ? detail.substr(0, 4096) + "..." : detail;
    a.outcome = outcome.size() > 1024 ? outcome.substr(0, 1024) + "..." : outcome;
    storage_.append_audit(a);
}

}  // namespace vigil::central
