#include "api_util.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "api_error.hpp"
#include "console_agents.hpp"
#include "time_spec.hpp"

namespace vigil::central::api_util {
namespace {
constexpr std::string_view kPrefix = "/api/v1/";
}  // namespace

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// "application/json; charset=utf-8" → "application/json"
std::string media_type(const std::string& content_type) {
    auto end = content_type.find(';');
    std::string t = content_type.substr(0, end);
    t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }), t.end());
    return lower(t);
}

void require_content_type(const Request& r, const char* expected) {
    std::string got = media_type(r.header("content-type"));
    if (got != expected) {
        throw ApiError(415,
                       std::string("Content-Type must be ") + expected + (got.empty() ? "" : ", got " + got));
    }
}

void parse_json_body(const Request& r, rapidjson::Document& doc) {
    require_content_type(r, "application/json");
    if (auto err = json::parse(doc, r.body)) throw ApiError(400, *err);
    if (!doc.IsObject()) throw ApiError(400, "body must be a JSON object");
    if (json::deeper_than(doc, 64)) throw ApiError(400, "body nests deeper than 64 levels");
}

std::string buffer_string(const rapidjson::StringBuffer& b) { return {b.GetString(), b.GetSize()}; }

Response ok_json(std::string body, int status) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

int64_t int_param(const Request& r, const std::string& name, int64_t fallback, int64_t min, int64_t max) {
    auto it = r.query.find(name);
    if (it == r.query.end() || it->second.empty()) return fallback;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || end != it->second.data() + it->second.size() || v < min || v > max) {
        throw ApiError(400,
                       name + " must be an integer in " + std::to_string(min) + ".." + std::to_string(max));
    }
    return v;
}

std::optional<std::string> str_param(const Request& r, const std::string& name) {
    auto it = r.query.find(name);
    if (it == r.query.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

// Splits "/api/v1/a/b/c" after the prefix into {"a","b","c"}.
std::vector<std::string> path_parts(const std::string& path) {
    std::vector<std::string> parts;
    if (path.compare(0, kPrefix.size(), kPrefix) != 0) return parts;
    size_t pos = kPrefix.size();
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string::npos) next = path.size();
        parts.push_back(path.substr(pos, next - pos));
        pos = next + 1;
    }
    if (!parts.empty() && parts.back().empty()) parts.pop_back();  // tolerate a trailing slash
    return parts;
}

void write_agent(json::Writer& w, const AgentRecord& a, const AgentLabels* labels) {
    rapidjson::Document info;
    if (json::parse(info, a.info_json) || !info.IsObject()) info.SetObject();
    w.StartObject();
    json::write_members(w, "agent_id", a.agent_id, "hostname", a.hostname, "os", a.os, "kernel", a.kernel,
                        "agent_version", a.agent_version, "first_seen_ns", a.first_seen_ns, "last_seen_ns",
                        a.last_seen_ns);
    for (const char* key : {"ips", "macs", "plugins", "isolation", "drops", "spool", "time_ns"}) {
        w.Key(key);
        const auto* v = json::member(info, key);
        if (v) {
            v->Accept(w);
        } else {
            w.Null();
        }
    }
    if (labels) write_label_members(w, *labels);
    w.EndObject();
}

void write_task(json::Writer& w, const TaskRecord& t) {
    w.StartObject();
    // value_or's temporaries live until the end of this statement, past the writes.
    json::write_members(w, "id", t.id, "agent_id", t.agent_id, "type", t.type, "args", json::Raw{t.args_json},
                        "timeout_s", t.timeout_s, "state", to_string(t.state), "created_ns", t.created_ns,
                        "delivered_ns", t.delivered_ns, "delivery_count", t.delivery_count, "completed_ns",
                        t.completed_ns, "result", json::Raw{t.result_json.value_or("")}, "error", t.error,
                        "signature", json::Raw{t.signature_json.value_or("")}, "created_by", t.created_by);
    w.Key("file");
    if (t.file) {
        w.StartObject();
        json::write_members(w, "size", t.file->size, "sha256", t.file->sha256);
        w.EndObject();
    } else {
        w.Null();
    }
    w.EndObject();
}

std::optional<int64_t> time_param(const Request& r, const char* name, int64_t now) {
    auto v = str_param(r, name);
    if (!v) return std::nullopt;
    auto t = parse_time_spec(*v, now);
    if (!t)
        throw ApiError(400, std::string(name) +
                                ": expected RFC 3339, ns since epoch, or a duration like 10m, got " +
                                json::quote(*v));
    return t;
}

}  // namespace vigil::central::api_util
