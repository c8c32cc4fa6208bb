// Operator endpoints: agents, events, tasks, files, stats. Each checks the caller's role.
#include "api.hpp"
#include "api_error.hpp"
#include "api_util.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace api_util;

Response Api::list_agents(const Request& r) {
    require_role(r, Role::viewer);
    rapidjson::StringBuffer b;
    json::Writer w(b);
    w.StartObject();
    w.Key("agents");
    w.StartArray();
    for (const auto& a : storage_.list_agents()) write_agent(w, a);
    w.EndArray();
    w.EndObject();
    return ok_json(buffer_string(b));
}

Response Api::query_events(const Request& r) {
    require_role(r, Role::viewer);
    EventQuery q;
    int64_t now = now_ns();
    q.agent_id = str_param(r, "agent");
    if (q.agent_id && !valid_agent_id(*q.agent_id)) throw ApiError(400, "agent: invalid agent id");
    q.type = str_param(r, "type");
    if (q.type && !valid_event_type(*q.type)) throw ApiError(400, "type: invalid event type");
    q.since_ns = time_param(r, "since", now);
    q.until_ns = time_param(r, "until", now);
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
    return ok_json(buffer_string(b));
}

Response Api::create_task(const Request& r) {
    require_role(r, Role::responder);
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
    require_role(r, Role::viewer);
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
    return ok_json(buffer_string(b));
}

Response Api::show_task(const Request& r, const std::string& task_id) {
    require_role(r, Role::viewer);
    std::optional<TaskRecord> t;
    if (valid_task_id(task_id)) t = storage_.find_task(task_id);
    if (!t) throw ApiError(404, "unknown task " + task_id);
    return ok_json(task_to_json(*t));
}

Response Api::download_file(const Request& r, const std::string& task_id) {
    require_role(r, Role::responder);
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
    require_role(r, Role::viewer);
    auto s = storage_.stats();
    return ok_json("{\"events\":" + std::to_string(s.events) + ",\"batches\":" + std::to_string(s.batches) +
                   ",\"agents\":" + std::to_string(s.agents) + ",\"tasks\":" + std::to_string(s.tasks) +
                   ",\"waiting_agents\":" + std::to_string(broker_.waiting()) + "}");
}

}  // namespace vigil::central
