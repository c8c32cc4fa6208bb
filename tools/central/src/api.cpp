// The API core: admission (who is calling), routing, error replies. Endpoints live in
// api_agent.cpp (agents) and api_operator.cpp (operators).
#include "api.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>

#include "api_error.hpp"
#include "api_util.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "sha256.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

Response error_response(const ApiError& e) {
    Response r;
    r.status = e.status();
    r.body = json::error_body(e.what());
    if (e.status() == 401) r.headers["WWW-Authenticate"] = "Bearer realm=\"vigil-central\"";
    if (e.status() == 503) r.headers["Retry-After"] = "2";
    return r;
}

Response internal_error(const std::exception& e) {
    Response r;
    r.status = 500;
    r.body = json::error_body(std::string("internal error: ") + e.what());
    return r;
}

// The bearer token of an Authorization header; 401 when there is none.
std::string bearer_token(const Request& r) {
    std::string auth = r.header("authorization");
    if (auth.empty()) throw ApiError(401, "missing bearer token (Authorization: Bearer <token>)");
    if (auth.size() < 7 || lower(auth.substr(0, 7)) != "bearer ") throw ApiError(401, "Authorization must be Bearer");
    return auth.substr(7);
}

}  // namespace

const char* to_string(Role role) {
    switch (role) {
        case Role::viewer:
            return "viewer";
        case Role::responder:
            return "responder";
        case Role::admin:
            return "admin";
    }
    return "viewer";
}

std::optional<Role> role_from_string(std::string_view s) {
    for (Role r : {Role::viewer, Role::responder, Role::admin})
        if (s == to_string(r)) return r;
    return std::nullopt;
}

std::string Request::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string task_to_json(const TaskRecord& task) {
    rapidjson::StringBuffer b;
    json::Writer w(b);
    write_task(w, task);
    return buffer_string(b);
}

Api::Api(Storage& storage, TaskBroker& broker, FileStore& files, ApiSettings settings, AgentTrust trust)
    : storage_(storage), broker_(broker), files_(files), settings_(std::move(settings)), trust_(trust) {}

BodyPolicy Api::body_policy(const std::string& method, const std::string& path) const {
    if (method == "PUT") return {true, settings_.max_file_bytes};
    if (path == "/api/v1/agent/telemetry") return {false, settings_.max_telemetry_bytes};
    return {false, settings_.max_body_bytes};
}

std::optional<Response> Api::admit(Request& head) {
    try {
        authenticate(head);
        return std::nullopt;
    } catch (const ApiError& e) {
        return error_response(e);
    } catch (const std::exception& e) {
        return internal_error(e);
    }
}

Response Api::handle(Request& request) {
    const auto started = std::chrono::steady_clock::now();
    Response response;
    try {
        if (!request.principal) {
            if (auto refused = admit(request)) return count(request, *refused, started);
        }
        response = route(request);
    } catch (const ApiError& e) {
        response = error_response(e);
    } catch (const std::exception& e) {
        response = internal_error(e);
    }
    return count(request, std::move(response), started);
}

void Api::authenticate(Request& r) {
    if (r.path == "/metrics") {  // for operators, like the rest of the operator API
        r.principal = authenticate_operator(r);
        return;
    }
    auto parts = path_parts(r.path);
    if (parts.empty() || (parts[0] == "health" && parts.size() == 1)) {
        r.principal = Principal{};
        return;
    }
    r.principal = parts[0] == "agent" ? authenticate_agent(r) : authenticate_operator(r);
}

Principal Api::authenticate_agent(const Request& r) {
    std::string header = r.header("x-vigil-agent-id");
    Principal p;
    p.kind = Principal::Kind::agent;
    if (r.peer.agent_cert && trust_.agent_ca) {
        if (trust_.revoked && trust_.revoked->revoked(r.peer.serial))
            throw ApiError(403, "agent certificate " + r.peer.serial + " is revoked");
        if (!header.empty() && header != r.peer.agent_id)
            throw ApiError(403, "X-Vigil-Agent-Id " + json::quote(header) +
                                    " is not the agent of the client certificate (" + r.peer.agent_id + ")");
        p.name = r.peer.agent_id;
        return p;
    }
    if (!settings_.legacy_agent_header)
        throw ApiError(401, "agent certificate required: enroll first (POST /api/v1/agent/enroll)");
    if (header.empty()) throw ApiError(400, "missing X-Vigil-Agent-Id header");
    if (!valid_agent_id(header)) throw ApiError(400, "invalid X-Vigil-Agent-Id header");
    p.name = header;
    return p;
}

Principal Api::authenticate_operator(const Request& r) const {
    // Digests of equal length are compared, so neither the content nor the length of a
    // configured token shows in the timing.
    std::string presented = Sha256::of(bearer_token(r));
    bool ok = false;
    for (const auto& t : settings_.operator_tokens) {
        std::string expected = Sha256::of(t);
        ok |= CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) == 0;
    }
    if (!ok) throw ApiError(401, "invalid bearer token");
    Principal p;
    p.kind = Principal::Kind::operator_;
    p.name = "operator";
    p.role = Role::admin;
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

Response Api::route(const Request& r) {
    if (r.path == "/metrics") {
        if (r.method != "GET") throw ApiError(405, "method " + r.method + " not allowed on /metrics (use GET)");
        return metrics(r);
    }
    auto parts = path_parts(r.path);
    if (parts.empty()) throw ApiError(404, "no such endpoint " + r.path + " (the API lives under /api/v1/)");
    auto method_is = [&](const char* m) {
        if (r.method != m)
            throw ApiError(405, "method " + r.method + " not allowed on " + r.path + " (use " + m + ")");
    };
    const auto n = parts.size();
    if (parts[0] == "health" && n == 1) {
        method_is("GET");
        return ok_json("{\"status\":\"ok\"}");
    }
    if (parts[0] == "agent") {
        if (n == 2 && parts[1] == "sync") return method_is("POST"), agent_sync(r);
        if (n == 2 && parts[1] == "telemetry") return method_is("POST"), agent_telemetry(r);
        if (n == 2 && parts[1] == "tasks") return method_is("GET"), agent_poll_tasks(r);
        if (n == 4 && parts[1] == "tasks" && parts[3] == "result")
            return method_is("POST"), agent_task_result(r, parts[2]);
        if (n == 4 && parts[1] == "tasks" && parts[3] == "file")
            return method_is("PUT"), agent_task_file(r, parts[2]);
    }
    if (parts[0] == "agents" && n == 1) return method_is("GET"), list_agents(r);
    if (parts[0] == "events" && n == 1) return method_is("GET"), query_events(r);
    if (parts[0] == "stats" && n == 1) return method_is("GET"), stats(r);
    if (parts[0] == "tasks") {
        if (n == 1 && r.method == "POST") return create_task(r);
        if (n == 1) return method_is("GET"), list_tasks(r);
        if (n == 2) return method_is("GET"), show_task(r, parts[1]);
        if (n == 3 && parts[2] == "file") return method_is("GET"), download_file(r, parts[1]);
    }
    throw ApiError(404, "no such endpoint " + r.path);
}

}  // namespace vigil::central
