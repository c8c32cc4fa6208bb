#include "api_util.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "api_error.hpp"
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

void write_agent(json::Writer& w, const AgentRecord& a) {
    rapidjson::Document info;
    if (json::parse(info, a.info_json) || !info.IsObject()) info.SetObject();
    w.StartObject();
    w.Key("agent_id");
    json::write_string(w, a.agent_id);
    w.Key("hostname");
    json::write_string(w, a.hostname);
    w.Key("os");
    json::write_string(w, a.os);
    w.Key("kernel");
    json::write_string(w, a.kernel);
    w.Key("agent_version");
    json::write_string(w, a.agent_version);
    w.Key("first_seen_ns");
    w.Int64(a.first_seen_ns);
    w.Key("last_seen_ns");
    w.Int64(a.last_seen_ns);
    for (const char* key : {"ips", "macs", "plugins", "isolation", "drops", "spool", "time_ns"}) {
        w.Key(key);
        const auto* v = json::member(info, key);
        if (v) {
            v->Accept(w);
        } else {
            w.Null();
        }
    }
    w.EndObject();
}

void write_task(json::Writer& w, const TaskRecord& t) {
    w.StartObject();
    w.Key("id");
    json::write_string(w, t.id);
    w.Key("agent_id");
    json::write_string(w, t.agent_id);
    w.Key("type");
    json::write_string(w, t.type);
    w.Key("args");
    json::write_raw(w, t.args_json);
    w.Key("timeout_s");
    w.Int64(t.timeout_s);
    w.Key("state");
    w.String(to_string(t.state));
    w.Key("created_ns");
    w.Int64(t.created_ns);
    w.Key("delivered_ns");
    w.Int64(t.delivered_ns);
    w.Key("delivery_count");
    w.Int64(t.delivery_count);
    w.Key("completed_ns");
    w.Int64(t.completed_ns);
    w.Key("result");
    json::write_raw(w, t.result_json.value_or(""));
    w.Key("error");
    if (t.error) {
        json::write_string(w, *t.error);
    } else {
        w.Null();
    }
    w.Key("signature");
    json::write_raw(w, t.signature_json.value_or(""));
    w.Key("created_by");
    json::write_string(w, t.created_by);
    w.Key("file");
    if (t.file) {
        w.StartObject();
        w.Key("size");
        w.Uint64(t.file->size);
        w.Key("sha256");
        json::write_string(w, t.file->sha256);
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
