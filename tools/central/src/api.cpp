#include "api.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

#include "api_error.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "time_spec.hpp"

namespace vigil::central {
namespace {

constexpr std::string_view kPrefix = "/api/v1/";

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

std::string json_response_string(const rapidjson::StringBuffer& b) { return {b.GetString(), b.GetSize()}; }

Response ok_json(std::string body, int status = 200) {
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

}  // namespace

std::string Request::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string task_to_json(const TaskRecord& task) {
    rapidjson::StringBuffer b;
    json::Writer w(b);
    write_task(w, task);
    return json_response_string(b);
}

Api::Api(Storage& storage, TaskBroker& broker, FileStore& files, ApiSettings settings)
    : storage_(storage), broker_(broker), files_(files), settings_(std::move(settings)) {}

BodyPolicy Api::body_policy(const std::string& method, const std::string& path) const {
    if (method == "PUT") return {true, settings_.max_file_bytes};
    if (path == "/api/v1/agent/telemetry") return {false, settings_.max_telemetry_bytes};
    return {false, settings_.max_body_bytes};
}

Response Api::handle(const Request& request) {
    try {
        return route(request);
    } catch (const ApiError& e) {
        Response r;
        r.status = e.status();
        r.body = json::error_body(e.what());
        if (e.status() == 401) r.headers["WWW-Authenticate"] = "Bearer realm=\"vigil-central\"";
        if (e.status() == 503) r.headers["Retry-After"] = "2";
        return r;
    } catch (const std::exception& e) {
        Response r;
        r.status = 500;
        r.body = json::error_body(std::string("internal error: ") + e.what());
        return r;
    }
}

Response Api::route(const Request& r) {
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

std::string Api::require_known_agent(const Request& r, int unknown_status) {
    std::string id = r.header("x-vigil-agent-id");
    if (id.empty()) throw ApiError(400, "missing X-Vigil-Agent-Id header");
    if (!valid_agent_id(id)) throw ApiError(400, "invalid X-Vigil-Agent-Id header");
    if (unknown_status && !storage_.find_agent(id)) {
        throw ApiError(unknown_status, "unknown agent " + id + ", sync first");
    }
    return id;
}

void Api::require_operator(const Request& r) const {
    std::string auth = r.header("authorization");
    if (auth.empty()) throw ApiError(401, "missing bearer token (Authorization: Bearer <token>)");
    if (auth.size() < 7 || lower(auth.substr(0, 7)) != "bearer ")
        throw ApiError(401, "Authorization must be Bearer");
    std::string token = auth.substr(7);
    bool ok = false;
    for (const auto& t : settings_.operator_tokens) {
        // Constant-time compare so the token cannot be guessed byte by byte from timings.
        if (!t.empty() && t.size() == token.size() && CRYPTO_memcmp(t.data(), token.data(), t.size()) == 0)
            ok = true;
    }
    if (!ok) throw ApiError(401, "invalid bearer token");
}

Response Api::agent_sync(const Request& r) {
    std::string id = require_known_agent(r, 0);
    rapidjson::Document doc;
    parse_json_body(r, doc);
    std::string body_id = json::string_or(doc, "agent_id");
    if (body_id != id)
        throw ApiError(400, "agent_id " + json::quote(body_id) + " does not match X-Vigil-Agent-Id");
    AgentRecord a;
    a.agent_id = id;
    for (auto [field, target] :
         {std::pair{"hostname", &a.hostname}, std::pair{"os", &a.os}, std::pair{"kernel", &a.kernel},
          std::pair{"agent_version", &a.agent_version}}) {
        const auto* v = json::member(doc, field);
        if (v && !v->IsString() && !v->IsNull())
            throw ApiError(400, std::string(field) + ": must be a string");
        if (v && v->IsString()) target->assign(v->GetString(), std::min<size_t>(v->GetStringLength(), 1024));
    }
    if (a.hostname.empty()) throw ApiError(400, "hostname: missing");
    for (const char* field : {"ips", "macs"}) {
        const auto* v = json::member(doc, field);
        if (v && !v->IsArray() && !v->IsNull())
            throw ApiError(400, std::string(field) + ": must be an array");
    }
    for (const char* field : {"plugins", "drops", "spool"}) {
        const auto* v = json::member(doc, field);
        if (v && !v->IsObject() && !v->IsNull())
            throw ApiError(400, std::string(field) + ": must be an object");
    }
    a.info_json = json::to_string(doc);
    a.last_seen_ns = now_ns();
    a.first_seen_ns = a.last_seen_ns;
    storage_.upsert_agent(a);
    return ok_json("{\"server_time_ns\":" + std::to_string(now_ns()) +
                   ",\"sync_period_s\":" + std::to_string(settings_.sync_period_s) + "}");
}

Response Api::agent_telemetry(const Request& r) {
    require_content_type(r, "application/json");
    if (lower(r.header("content-encoding")) != "gzip")
        throw ApiError(415, "telemetry must be sent with Content-Encoding: gzip");
    std::string id = require_known_agent(r, 404);
    ParsedBatch batch =
        parse_gzip_batch(r.body, settings_.max_decompressed_bytes, id, settings_.batch, r.memory);
    int64_t now = now_ns();
    BatchResult result = storage_.store_batch(batch.agent_id, batch.batch_seq, now, batch.events);
    storage_.touch_agent(id, now);
    return ok_json("{\"stored\":" + std::to_string(result.stored) +
                   ",\"duplicate\":" + (result.duplicate ? "true" : "false") + "}");
}

Response Api::agent_poll_tasks(const Request& r) {
    std::string id = require_known_agent(r, 404);
    int64_t wait_s = int_param(r, "wait", settings_.long_poll_default_s, 0, settings_.long_poll_max_s);
    storage_.touch_agent(id, now_ns());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
    std::vector<TaskRecord> tasks;
    for (;;) {
        uint64_t gen = broker_.generation(id);  // read before claiming: a task created after is not missed
        tasks = storage_.claim_tasks(id, now_ns(), settings_.task_redelivery_grace_s,
                                     settings_.max_tasks_per_poll);
        auto now = std::chrono::steady_clock::now();
        if (!tasks.empty() || now >= deadline || broker_.stopping()) break;
        broker_.wait(id, gen, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    }
    rapidjson::StringBuffer b;
    json::Writer w(b);
    w.StartObject();
    w.Key("tasks");
    w.StartArray();
    for (const auto& t : tasks) {
        w.StartObject();
        w.Key("id");
        json::write_string(w, t.id);
        w.Key("type");
        json::write_string(w, t.type);
        w.Key("args");
        json::write_raw(w, t.args_json);
        w.Key("created_ns");
        w.Int64(t.created_ns);
        w.Key("timeout_s");
        w.Int64(t.timeout_s);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return ok_json(json_response_string(b));
}

Response Api::agent_task_result(const Request& r, const std::string& task_id) {
    std::string id = require_known_agent(r, 404);
    rapidjson::Document doc;
    parse_json_body(r, doc);
    if (!valid_task_id(task_id)) throw ApiError(404, "unknown task " + task_id);
    auto task = storage_.find_task(task_id);
    if (!task || task->agent_id != id) throw ApiError(404, "unknown task " + task_id);
    std::string status = json::string_or(doc, "status");
    if (status != "ok" && status != "error") throw ApiError(400, "status: must be \"ok\" or \"error\"");
    std::optional<std::string> result;
    if (const auto* v = json::member(doc, "result"); v && !v->IsNull()) result = json::to_string(*v);
    std::optional<std::string> error;
    if (const auto* v = json::member(doc, "error"); v && !v->IsNull()) {
        if (!v->IsString()) throw ApiError(400, "error: must be a string or null");
        error = std::string(v->GetString(), std::min<size_t>(v->GetStringLength(), 64 * 1024));
    }
    if (status == "error" && !error) error = "agent reported an error without a reason";
    switch (storage_.complete_task(task_id, status == "ok", result, error, now_ns())) {
        case ResultOutcome::accepted:
            return ok_json("{\"accepted\":true}");
        case ResultOutcome::already_final:
            throw ApiError(409, "task " + task_id + " already has a result");
        case ResultOutcome::not_found:
            break;
    }
    throw ApiError(404, "unknown task " + task_id);
}

Response Api::agent_task_file(const Request& r, const std::string& task_id) {
    std::string id = require_known_agent(r, 404);
    require_content_type(r, "application/octet-stream");
    std::string sha = r.header("x-vigil-sha256");
    if (!valid_sha256_hex(sha))
        throw ApiError(400, "missing or invalid X-Vigil-Sha256 header (64 hex digits)");
    if (!valid_task_id(task_id)) throw ApiError(404, "unknown task " + task_id);
    auto task = storage_.find_task(task_id);
    if (!task || task->agent_id != id) throw ApiError(404, "unknown task " + task_id);
    if (task->state == TaskState::done || task->state == TaskState::error)
        throw ApiError(409, "task " + task_id + " already has a result");
    if (!r.body_stream) throw ApiError(400, "file body missing");
    TaskFile file = files_.receive(task_id, *r.body_stream, sha, r.content_length, settings_.max_file_bytes);
    if (!storage_.attach_file(task_id, file)) {
        std::filesystem::remove(file.path);
        throw ApiError(409, "task " + task_id + " already has a result");
    }
    return ok_json("{\"size\":" + std::to_string(file.size) + ",\"sha256\":\"" + file.sha256 + "\"}");
}

Response Api::list_agents(const Request& r) {
    require_operator(r);
    rapidjson::StringBuffer b;
    json::Writer w(b);
    w.StartObject();
    w.Key("agents");
    w.StartArray();
    for (const auto& a : storage_.list_agents()) write_agent(w, a);
    w.EndArray();
    w.EndObject();
    return ok_json(json_response_string(b));
}

Response Api::query_events(const Request& r) {
    require_operator(r);
    EventQuery q;
    int64_t now = now_ns();
    q.agent_id = str_param(r, "agent");
    if (q.agent_id && !valid_agent_id(*q.agent_id)) throw ApiError(400, "agent: invalid agent id");
    q.type = str_param(r, "type");
    if (q.type && !valid_event_type(*q.type)) throw ApiError(400, "type: invalid event type");
    for (auto [name, target] : {std::pair{"since", &q.since_ns}, std::pair{"until", &q.until_ns}}) {
        if (auto v = str_param(r, name)) {
            *target = parse_time_spec(*v, now);
            if (!*target)
                throw ApiError(400, std::string(name) +
                                        ": expected RFC 3339, ns since epoch, or a duration like 10m, got " +
                                        json::quote(*v));
        }
    }
    q.text = str_param(r, "text");
    if (q.text && q.text->size() > 1024) throw ApiError(400, "text: longer than 1024 characters");
    q.limit = static_cast<uint32_t>(int_param(r, "limit", 100, 1, 10000));
    rapidjson::StringBuffer b;
    json::Writer w(b);
    w.StartObject();
    w.Key("events");
    w.StartArray();
    for (const auto& e : storage_.query_events(q)) {
        w.StartObject();
        w.Key("id");
        w.Int64(e.id);
        w.Key("agent_id");
        json::write_string(w, e.agent_id);
        w.Key("type");
        json::write_string(w, e.type);
        w.Key("time_ns");
        w.Int64(e.time_ns);
        w.Key("event");
        json::write_raw(w, e.raw);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return ok_json(json_response_string(b));
}

Response Api::create_task(const Request& r) {
    require_operator(r);
    rapidjson::Document doc;
    parse_json_body(r, doc);
    TaskRecord t;
    t.agent_id = json::string_or(doc, "agent_id");
    if (!valid_agent_id(t.agent_id)) throw ApiError(400, "agent_id: missing or invalid");
    t.type = json::string_or(doc, "type");
    if (!valid_task_type(t.type))
        throw ApiError(400, "type: missing or invalid (expected e.g. ping, get_file or <plugin>.<verb>)");
    if (const auto* args = json::member(doc, "args"); args && !args->IsNull()) {
        if (!args->IsObject()) throw ApiError(400, "args: must be a JSON object");
        t.args_json = json::to_string(*args);
    }
    t.timeout_s = settings_.task_default_timeout_s;
    if (const auto* to = json::member(doc, "timeout_s"); to && !to->IsNull()) {
        if (!to->IsInt64() || to->GetInt64() < 1 || to->GetInt64() > settings_.task_max_timeout_s)
            throw ApiError(
                400, "timeout_s: must be an integer in 1.." + std::to_string(settings_.task_max_timeout_s));
        t.timeout_s = to->GetInt64();
    }
    if (!storage_.find_agent(t.agent_id)) throw ApiError(404, "unknown agent " + t.agent_id);
    t.id = new_task_id();
    t.created_ns = now_ns();
    storage_.insert_task(t);
    broker_.notify(t.agent_id);
    return ok_json("{\"id\":\"" + t.id + "\",\"task\":" + task_to_json(t) + "}", 201);
}

Response Api::list_tasks(const Request& r) {
    require_operator(r);
    auto agent = str_param(r, "agent");
    if (agent && !valid_agent_id(*agent)) throw ApiError(400, "agent: invalid agent id");
    auto limit = static_cast<uint32_t>(int_param(r, "limit", 100, 1, 10000));
    rapidjson::StringBuffer b;
    json::Writer w(b);
    w.StartObject();
    w.Key("tasks");
    w.StartArray();
    for (const auto& t : storage_.list_tasks(agent, limit)) write_task(w, t);
    w.EndArray();
    w.EndObject();
    return ok_json(json_response_string(b));
}

Response Api::show_task(const Request& r, const std::string& task_id) {
    require_operator(r);
    std::optional<TaskRecord> t;
    if (valid_task_id(task_id)) t = storage_.find_task(task_id);
    if (!t) throw ApiError(404, "unknown task " + task_id);
    return ok_json(task_to_json(*t));
}

Response Api::download_file(const Request& r, const std::string& task_id) {
    require_operator(r);
    std::optional<TaskRecord> t;
    if (valid_task_id(task_id)) t = storage_.find_task(task_id);
    if (!t) throw ApiError(404, "unknown task " + task_id);
    if (!t->file) throw ApiError(404, "task " + task_id + " has no uploaded file");
    Response resp;
    resp.content_type = "application/octet-stream";
    resp.file_path = t->file->path;
    resp.headers["X-Vigil-Sha256"] = t->file->sha256;
    return resp;
}

Response Api::stats(const Request& r) {
    require_operator(r);
    auto s = storage_.stats();
    return ok_json("{\"events\":" + std::to_string(s.events) + ",\"batches\":" + std::to_string(s.batches) +
                   ",\"agents\":" + std::to_string(s.agents) + ",\"tasks\":" + std::to_string(s.tasks) +
                   ",\"waiting_agents\":" + std::to_string(broker_.waiting()) + "}");
}

}  // namespace vigil::central
