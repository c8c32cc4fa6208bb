// The API core: error replies and routing. Admission (who is calling) is in api_auth.cpp;
// endpoints in api_agent.cpp (agents), api_operator.cpp (operators), api_trust.cpp (identity
// and administration).
#include "api.hpp"

#include <algorithm>
#include <chrono>
#include <vigil/enum_table.hpp>

#include "api_error.hpp"
#include "api_util.hpp"
#include "console_http.hpp"
#include "ids.hpp"
#include "json.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

Response error_response(const ApiError& e) {
    Response r;
    r.status = e.status();
    r.body = json::error_body(e.what());
    if (e.status() == 401) r.headers["WWW-Authenticate"] = "Bearer realm=\"vigil-central\"";
    if (e.status() == 503) r.headers["Retry-After"] = "2";
    for (const auto& [k, v] : e.headers()) r.headers[k] = v;
    return r;
}

Response internal_error(const std::exception& e) {
    Response r;
    r.status = 500;
    r.body = json::error_body(std::string("internal error: ") + e.what());
    return r;
}

}  // namespace

namespace {
constexpr EnumName<Role> kRoleNames[] = {
    {Role::viewer, "viewer"}, {Role::responder, "responder"}, {Role::admin, "admin"}};
}  // namespace

const char* to_string(Role role) { return enum_name(kRoleNames, role, "viewer"); }

std::optional<Role> role_from_string(std::string_view s) { return enum_from_name(kRoleNames, s); }

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
    : storage_(storage),
      broker_(broker),
      files_(files),
      settings_(std::move(settings)),
      trust_(trust),
      sessions_(storage_, settings_.console) {}

BodyPolicy Api::body_policy(const std::string& method, const std::string& path) const {
    if (method == "PUT") return {true, settings_.max_file_bytes};
    if (path == "/api/v1/agent/telemetry") return {false, settings_.max_telemetry_bytes};
    return {false, settings_.max_body_bytes};
}

Response Api::error_reply(const std::exception& error) {
    if (const auto* e = dynamic_cast<const ApiError*>(&error)) return error_response(*e);
    return internal_error(error);
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
    if (request.principal && request.principal->via_session) add_console_headers(response);
    return count(request, std::move(response), started);
}

Response Api::route(const Request& r) {
    if (auto console = route_console(r)) return std::move(*console);
    if (r.path == "/metrics") {
        if (r.method != "GET")
            throw ApiError(405, "method " + r.method + " not allowed on /metrics (use GET)");
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
        if (n == 2 && parts[1] == "enroll") return method_is("POST"), agent_enroll(r);
        if (n == 2 && parts[1] == "renew") return method_is("POST"), agent_renew(r);
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
    return route_admin(r, parts);
}

Response Api::route_admin(const Request& r, const std::vector<std::string>& parts) {
    auto method_is = [&](const char* m) {
        if (r.method != m)
            throw ApiError(405, "method " + r.method + " not allowed on " + r.path + " (use " + m + ")");
    };
    const auto n = parts.size();
    if (parts[0] == "agents" && n == 3 && parts[2] == "revoke")
        return method_is("POST"), revoke_agent(r, parts[1]);
    if (parts[0] == "enrollments" && n == 1)
        return r.method == "POST" ? create_enrollment(r) : (method_is("GET"), list_enrollments(r));
    if (parts[0] == "audit" && n == 1) return method_is("GET"), query_audit(r);
    throw ApiError(404, "no such endpoint " + r.path);
}

}  // namespace vigil::central
