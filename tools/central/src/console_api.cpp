// The web console's endpoints: its files under /ui/, and its session (login with an operator
// token, who am I, logout). Everything else the console shows comes from the operator API,
// which accepts the session cookie in place of a bearer token (authenticate_session) with the
// same role checks.
#include "api.hpp"
#include "api_error.hpp"
#include "api_util.hpp"
#include "auth_tokens.hpp"
#include "console_http.hpp"
#include "console_proctree.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

constexpr std::string_view kUiPrefix = "/ui/";

std::string session_json(const ConsoleSession& s, int64_t idle_timeout_s) {
    return json::object_text("operator", s.operator_name, "role", std::string(to_string(s.role)), "csrf_token",
                             s.csrf_token, "expires_ns", s.expires_ns, "idle_timeout_s", idle_timeout_s);
}

Response redirect(const std::string& location) {
    Response out;
    out.status = 302;
    out.content_type = "text/plain; charset=utf-8";
    out.headers["Location"] = location;
    add_console_headers(out);
    return out;
}

}  // namespace

std::optional<Response> Api::route_console(const Request& r) {
    if (r.path == "/" || r.path == "/ui") return r.method == "GET" ? std::optional(redirect("/ui/")) : std::nullopt;
    if (r.path.compare(0, kUiPrefix.size(), kUiPrefix) == 0) return ui_file(r);
    if (r.path == "/api/v1/detections") {
        if (r.method != "GET") throw ApiError(405, "method " + r.method + " not allowed on " + r.path + " (use GET)");
        return list_detections(r);
    }
    if (r.path == "/api/v1/detections/triage") {
        if (r.method != "POST") throw ApiError(405, "method " + r.method + " not allowed on " + r.path + " (use POST)");
        return triage_detections(r);
    }
    if (r.path == "/api/v1/process_tree") {
        if (r.method != "GET") throw ApiError(405, "method " + r.method + " not allowed on " + r.path + " (use GET)");
        require_role(r, Role::viewer);
        return process_tree(r, storage_, now_ns());
    }
    if (auto parts = path_parts(r.path); parts.size() == 3 && parts[0] == "agents" && parts[2] == "labels") {
        if (r.method != "POST") throw ApiError(405, "method " + r.method + " not allowed on " + r.path + " (use POST)");
        return set_agent_labels(r, parts[1]);
    }
    if (r.path != "/api/v1/console/session") return std::nullopt;
    if (r.method == "POST") return console_login(r);
    if (r.method == "GET") return console_session(r);
    if (r.method == "DELETE") return console_logout(r);
    throw ApiError(405, "method " + r.method + " not allowed on " + r.path + " (use POST, GET or DELETE)");
}

Response Api::ui_file(const Request& r) {
    if (r.method != "GET") throw ApiError(405, "method " + r.method + " not allowed on " + r.path + " (use GET)");
    std::string relative = r.path.substr(kUiPrefix.size());
    if (relative.empty()) relative = "index.html";
    const std::string_view type = ui_content_type(relative);
    std::optional<std::string> body;
    if (ui_ && valid_ui_path(relative) && !type.empty()) body = ui_(relative);
    if (!body) throw ApiError(404, ui_ ? "no such console file" : "the web console is not served by this server");
    Response out;
    out.content_type = std::string(type);
    out.body = std::move(*body);
    add_console_headers(out);
    return out;
}

Principal Api::authenticate_session(const Request& r) {
    const auto id = cookie_value(r.header("cookie"), kSessionCookie);
    if (!id) throw ApiError(401, "no console session: log in at /ui/ (or send Authorization: Bearer <token>)");
    auto session = sessions_.touch(*id, now_ns());
    if (!session) throw ApiError(401, "console session expired or unknown: log in again");
    // The operator may have been removed or given another role since the login.
    auto p = operator_for_token_hash(session->token_sha256);
    if (!p) {
        sessions_.remove(*id);
        throw ApiError(401, "the operator of this console session no longer exists: log in again");
    }
    if (auto why = csrf_refusal(r, session->csrf_token, settings_.console.public_origin))
        throw ApiError(403, "cross-site request refused: " + *why);
    p->via_session = true;
    return *p;
}

Response Api::console_login(const Request& r) {
    if (auto why = origin_refusal(r, settings_.console.public_origin))
        throw ApiError(403, "login refused: " + *why);
    check_throttle(r);
    rapidjson::Document doc;
    parse_json_body(r, doc);
    const std::string token = json::string_or(doc, "token");
    if (token.empty() || token.size() > 1024) throw ApiError(400, "token: missing or longer than 1024 characters");
    const std::string presented = token_hash(token);
    auto p = operator_for_token_hash(presented);
    if (!p) {
        throttle_.record_failure(r.peer.remote_address);
        audit(r, "console.login", "-", "operator token", "denied: invalid token");
        throw ApiError(401, "invalid operator token");
    }
    auto created = sessions_.create(p->name, p->role, presented, now_ns());
    Request who = r;
    who.principal = *p;
    audit(who, "console.login", p->name, "session until " + std::to_string(created.session.expires_ns), "ok");
    Response out = ok_json(session_json(created.session, settings_.console.idle_timeout_s));
    out.headers["Set-Cookie"] = session_cookie(created.id, settings_.console.absolute_timeout_s);
    add_console_headers(out);
    return out;
}

Response Api::console_session(const Request& r) {
    require_role(r, Role::viewer);
    const auto id = cookie_value(r.header("cookie"), kSessionCookie);
    auto session = id ? sessions_.touch(*id, now_ns()) : std::nullopt;
    if (!session) throw ApiError(401, "no console session (this endpoint is for the browser console)");
    return ok_json(session_json(*session, settings_.console.idle_timeout_s));
}

Response Api::console_logout(const Request& r) {
    require_role(r, Role::viewer);
    const auto id = cookie_value(r.header("cookie"), kSessionCookie);
    if (id) sessions_.remove(*id);
    audit(r, "console.logout", r.principal->name, "-", "ok");
    Response out = ok_json("{\"logged_out\":true}");
    out.headers["Set-Cookie"] = cleared_session_cookie();
    return out;
}

}  // namespace vigil::central
