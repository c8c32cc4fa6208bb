// Operator endpoints: agents, events, tasks, files, stats. Each checks the caller's role.
#include <algorithm>
#include <cstdlib>

#include "api.hpp"
#include "api_error.hpp"
#include "api_util.hpp"
#include "console_agents.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "storage_sizes_json.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace api_util;

Response Api::list_agents(const Request& r) {
    require_role(r, Role::viewer);
    return agents_page(r, storage_, now_ns());
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
    return list_json("events", storage_.query_events(q), [](json::Writer& w, const EventRow& e) {
        w.StartObject();
        json::write_members(w, "id", e.id, "agent_id", e.agent_id, "type", e.type, "time_ns", e.time_ns,
                            "event", json::Raw{e.raw});
        w.EndObject();
    });
}

namespace {

// What a task type needs: responders may not run processes, send agent.* commands or raw
// <plugin>.<verb> commands, or restore a quarantined file to a path of their choosing.
Role role_for_task(const std::string& type, const rapidjson::Value* args) {
    if (type == "run_process" || type.find('.') != std::string::npos) return Role::admin;
    if (type == "quarantine_restore" && args && args->IsObject() && args->HasMember("path")) return Role::admin;
    return Role::responder;
}

// An agent whose every certificate is revoked takes no tasks (they would never be delivered).
bool revoked_agent(Storage& storage, const std::string& agent_id) {
    auto certs = storage.certificates(agent_id);
    return !certs.empty() &&
           std::all_of(certs.begin(), certs.end(), [](const AgentCertificate& c) { return c.revoked_ns.has_value(); });
}

constexpr int64_t kNs = 1000000000;

// A task signed by an operator (task create --sign-key): the client chose the id and the
// creation time (both are signed), and the args are stored and delivered as the exact text
// that was signed. The agent verifies the signature; the server only checks the shape.
void apply_signature(const rapidjson::Document& doc, const rapidjson::Value& sig, TaskRecord& t, Storage& storage,
                     rapidjson::Document& signed_args) {
    if (!sig.IsObject()) throw ApiError(400, "signature: must be an object");
    if (json::string_or(sig, "alg") != "ed25519") throw ApiError(400, "signature.alg: must be \"ed25519\"");
    std::string key_id = json::string_or(sig, "key_id");
    if (key_id.size() != 16 || key_id.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw ApiError(400, "signature.key_id: must be 16 lower-case hex digits");
    std::string value = json::string_or(sig, "value");
    if (value.empty() || value.size() > 256) throw ApiError(400, "signature.value: missing or too long");
    const auto* expires = json::member(sig, "expires_ns");
    const auto* created = json::member(doc, "created_ns");
    if (!created || !created->IsInt64()) throw ApiError(400, "created_ns: a signed task needs its creation time");
    t.created_ns = created->GetInt64();
    if (std::llabs(t.created_ns - now_ns()) > 600 * kNs)
        throw ApiError(400, "created_ns: more than 10 minutes away from the server's clock");
    if (!expires || !expires->IsInt64() || expires->GetInt64() <= t.created_ns ||
        expires->GetInt64() > t.created_ns + 30 * 86400 * kNs)
        throw ApiError(400, "signature.expires_ns: must be after created_ns and within 30 days of it");
    t.id = json::string_or(doc, "id");
    if (!valid_task_id(t.id)) throw ApiError(400, "id: a signed task needs its id (32 lower-case hex digits)");
    if (storage.find_task(t.id)) throw ApiError(409, "task " + t.id + " exists");
    std::string args = json::string_or(sig, "args");
    if (auto err = json::parse(signed_args, args)) throw ApiError(400, "signature.args: " + *err);
    if (!signed_args.IsObject() || json::deeper_than(signed_args, 64))
        throw ApiError(400, "signature.args: must be a JSON object (at most 64 levels deep)");
    if (const auto* a = json::member(doc, "args"); a && !a->IsNull() && !(*a == signed_args))
        throw ApiError(400, "args: differ from signature.args");
    t.args_json = args;
    t.signature_json = json::to_string(sig);
}

}  // namespace

Response Api::create_task(const Request& r) {
    return audited(*this, r, "task.create", "-", [&](std::string& target, std::string& detail) {
        require_role(r, Role::responder);
        const rapidjson::Document doc = json_body(r);
        TaskRecord t;
        t.agent_id = json::string_or(doc, "agent_id");
        t.type = json::string_or(doc, "type");
        const auto* args = json::member(doc, "args");
        detail = "type " + json::quote(t.type) + " args " + (args ? json::to_string(*args) : "{}");
        // Why the operator acts (the console asks for it before destructive tasks): audit only.
        if (const std::string why = json::string_or(doc, "reason"); !why.empty())
            detail += " reason " + json::quote(why.substr(0, 1024));
        target = valid_agent_id(t.agent_id) ? t.agent_id : "-";
        if (!valid_agent_id(t.agent_id)) throw ApiError(400, "agent_id: missing or invalid");
        if (!valid_task_type(t.type))
            throw ApiError(400, "type: missing or invalid (expected e.g. ping, get_file or <plugin>.<verb>)");
        if (args && !args->IsNull()) {
            if (!args->IsObject()) throw ApiError(400, "args: must be a JSON object");
            t.args_json = json::to_string(*args);
        }
        rapidjson::Document signed_args;
        if (const auto* sig = json::member(doc, "signature"); sig && !sig->IsNull()) {
            apply_signature(doc, *sig, t, storage_, signed_args);
            args = &signed_args;
        } else if (json::member(doc, "id") || json::member(doc, "created_ns")) {
            throw ApiError(400, "id and created_ns are chosen by the server unless the task is signed");
        }
        require_role(r, role_for_task(t.type, args));
        t.timeout_s = settings_.task_default_timeout_s;
        if (const auto* to = json::member(doc, "timeout_s"); to && !to->IsNull()) {
            if (!to->IsInt64() || to->GetInt64() < 1 || to->GetInt64() > settings_.task_max_timeout_s)
                throw ApiError(400, "timeout_s: must be an integer in 1.." +
                                        std::to_string(settings_.task_max_timeout_s));
            t.timeout_s = to->GetInt64();
        }
        if (!storage_.find_agent(t.agent_id)) throw ApiError(404, "unknown agent " + t.agent_id);
        if (revoked_agent(storage_, t.agent_id)) throw ApiError(409, "agent " + t.agent_id + " is revoked");
        if (!t.signature_json) {
            t.id = new_task_id();
            t.created_ns = now_ns();
        }
        t.created_by = r.principal->name;
        storage_.insert_task(t);
        broker_.notify(t.agent_id);
        detail = "task " + t.id + " " + detail + (t.signature_json ? " (signed)" : "");
        return ok_json("{\"id\":\"" + t.id + "\",\"task\":" + task_to_json(t) + "}", 201);
    });
}

Response Api::list_tasks(const Request& r) {
    require_role(r, Role::viewer);
    auto agent = str_param(r, "agent");
    if (agent && !valid_agent_id(*agent)) throw ApiError(400, "agent: invalid agent id");
    auto limit = static_cast<uint32_t>(int_param(r, "limit", 100, 1, 10000));
    return list_json("tasks", storage_.list_tasks(agent, limit), write_task);
}

Response Api::show_task(const Request& r, const std::string& task_id) {
    require_role(r, Role::viewer);
    std::optional<TaskRecord> t;
    if (valid_task_id(task_id)) t = storage_.find_task(task_id);
    if (!t) throw ApiError(404, "unknown task " + task_id);
    return ok_json(task_to_json(*t));
}

Response Api::download_file(const Request& r, const std::string& task_id) {
    return audited(*this, r, "file.download", task_id, [&](std::string&, std::string& detail) {
        require_role(r, Role::responder);
        std::optional<TaskRecord> t;
        if (valid_task_id(task_id)) t = storage_.find_task(task_id);
        if (!t) throw ApiError(404, "unknown task " + task_id);
        if (!t->file) throw ApiError(404, "task " + task_id + " has no uploaded file");
        detail = "agent " + t->agent_id + ", " + std::to_string(t->file->size) + " bytes, sha256 " + t->file->sha256;
        Response resp;
        resp.content_type = "application/octet-stream";
        resp.file_path = t->file->path;
        resp.headers["X-Vigil-Sha256"] = t->file->sha256;
        // Evidence is never rendered: a browser saves it, whatever its bytes look like.
        resp.headers["Content-Disposition"] = "attachment; filename=\"" + task_id + ".bin\"";
        resp.headers["X-Content-Type-Options"] = "nosniff";
        return resp;
    });
}

Response Api::stats(const Request& r) {
    require_role(r, Role::viewer);
    auto s = storage_.stats();
    return ok_json("{\"events\":" + std::to_string(s.events) + ",\"batches\":" + std::to_string(s.batches) +
                   ",\"agents\":" + std::to_string(s.agents) + ",\"tasks\":" + std::to_string(s.tasks) +
                   ",\"waiting_agents\":" + std::to_string(broker_.waiting()) +
                   // Sizes read files and the catalog: only when asked (vigil-central stats).
                   (str_param(r, "sizes") == "1" ? ",\"storage\":" + storage_sizes_json(storage_.sizes(), files_.bytes())
                                                 : std::string()) +
                   "}");
}

}  // namespace vigil::central
