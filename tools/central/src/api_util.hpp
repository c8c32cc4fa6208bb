#pragma once
// Request/response helpers shared by the API's endpoint files (not part of the API).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api.hpp"
#include "api_error.hpp"
#include "json.hpp"

namespace vigil::central::api_util {

std::string lower(std::string s);
// "application/json; charset=utf-8" → "application/json"
std::string media_type(const std::string& content_type);
void require_content_type(const Request& r, const char* expected);
// Parses a JSON object body (415 for another content type, 400 with the reason otherwise).
void parse_json_body(const Request& r, rapidjson::Document& doc);
inline rapidjson::Document json_body(const Request& r) {
    rapidjson::Document doc;
    parse_json_body(r, doc);
    return doc;
}
Response ok_json(std::string body, int status = 200);
std::string buffer_string(const rapidjson::StringBuffer& b);

int64_t int_param(const Request& r, const std::string& name, int64_t fallback, int64_t min, int64_t max);
std::optional<std::string> str_param(const Request& r, const std::string& name);
// A time query parameter (RFC 3339, ns, or a duration before now); 400 naming it when bad.
std::optional<int64_t> time_param(const Request& r, const char* name, int64_t now);

// Splits "/api/v1/a/b/c" after the prefix into {"a","b","c"}; empty outside /api/v1/.
std::vector<std::string> path_parts(const std::string& path);

// `{"<key>": [item, ...]}` with each item written by `write_item(w, item)`.
template <class Items, class F>
Response list_json(const char* key, const Items& items, F&& write_item) {
    rapidjson::StringBuffer b;
    json::Writer w(b);
    w.StartObject();
    w.Key(key);
    w.StartArray();
    for (const auto& item : items) write_item(w, item);
    w.EndArray();
    w.EndObject();
    return ok_json(buffer_string(b));
}

// With `labels`, the operators' tags and note too (console_agents.hpp: write_label_members).
void write_agent(json::Writer& w, const AgentRecord& a, const AgentLabels* labels = nullptr);
void write_task(json::Writer& w, const TaskRecord& t);

// Runs `body(target, detail)` and writes one audit row with its outcome: "ok", "denied: …"
// (401/403) or "failed: …" (any other refusal). `body` may fill in target and detail.
template <typename F>
Response audited(Api& api, const Request& r, const std::string& action, std::string target, F&& body) {
    std::string detail;
    try {
        Response out = body(target, detail);
        api.audit(r, action, target, detail, "ok");
        return out;
    } catch (const ApiError& e) {
        bool denied = e.status() == 401 || e.status() == 403;
        api.audit(r, action, target, detail, std::string(denied ? "denied: " : "failed: ") + e.what());
        throw;
    }
}

}  // namespace vigil::central::api_util
