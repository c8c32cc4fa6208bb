// Agent endpoints: registration/heartbeat, telemetry, task polls, results and file uploads.
// Every one acts for the agent that admission authenticated (agent_of), never for an id
// named in a header or the body.
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "api.hpp"
#include "api_error.hpp"
#include "api_util.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace api_util;

Response Api::agent_sync(const Request& r) {
    std::string id = agent_of(r, false);
    const rapidjson::Document doc = json_body(r);
    std::string body_id = json::string_or(doc, "agent_id");
    if (body_id != id)
        refuse_identity(r, body_id, "agent_id " + json::quote(body_id) + " is not the authenticated agent " +
                                        json::quote(id));
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
    std::string id = agent_of(r, true);
    ParsedBatch batch;
    try {
        batch = parse_gzip_batch(r.body, settings_.max_decompressed_bytes, id, settings_.batch, r.memory);
    } catch (const ApiError& e) {
        if (e.status() == 403) refuse_identity(r, "-", e.what());  // the body names another agent
        throw;
    }
    int64_t now = now_ns();
    BatchResult result = storage_.store_batch(batch.agent_id, batch.batch_seq, now, batch.events);
    storage_.touch_agent(id, now);
    return ok_json("{\"stored\":" + std::to_string(result.stored) +
                   ",\"duplicate\":" + (result.duplicate ? "true" : "false") + "}");
}

Response Api::agent_poll_tasks(const Request& r) {
    PollStep step = begin_poll(r);
    while (!step.reply) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(step.wait.deadline -
                                                                          std::chrono::steady_clock::now());
        broker_.wait(step.wait.agent_id, step.wait.generation, std::max(left, std::chrono::milliseconds(0)));
        step = continue_poll(step.wait);
    }
    return std::move(*step.reply);  // an error reply is what error_response() makes of the ApiError
}

PollStep Api::begin_poll(const Request& r) {
    if (!r.principal) {  // not admitted yet (tests): as handle() would
        Request admitted = r;
        if (auto refused = admit(admitted)) return {std::move(refused), {}};
        return begin_poll(admitted);
    }
    PollStep step;
    try {
        step.wait.agent_id = agent_of(r, true);
        int64_t wait_s = int_param(r, "wait", settings_.long_poll_default_s, 0, settings_.long_poll_max_s);
        storage_.touch_agent(step.wait.agent_id, now_ns());
        if (r.peer.agent_cert) step.wait.certificate_serial = r.peer.serial;
        step.wait.ticket = broker_.begin_poll(step.wait.agent_id);
        step.wait.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
    } catch (const std::exception& e) {
        step.reply = error_reply(e);
        return step;
    }
    return continue_poll(step.wait);
}

PollStep Api::continue_poll(const PollWait& w) {
    PollStep step{std::nullopt, w};
    try {
        // The generation is read before claiming: a task created after it is not missed.
        step.wait.generation = broker_.generation(w.agent_id);
        // A newer poll of this agent takes the tasks. 409, not an empty answer: two instances
        // sharing one identity (a cloned host) would otherwise re-poll each other in a hot loop;
        // an error makes the agent back off.
        if (broker_.superseded(w.agent_id, w.ticket))
            throw ApiError(409, "a newer task poll of agent " + w.agent_id +
                                    " is waiting (another instance with the same identity?)");
        auto tasks = storage_.claim_tasks(w.agent_id, now_ns(), settings_.task_redelivery_grace_s,
                                          settings_.max_tasks_per_poll);
        if (!tasks.empty() || std::chrono::steady_clock::now() >= w.deadline || broker_.stopping()) {
            step.reply = poll_reply(tasks);
        } else if (!w.certificate_serial.empty() && trust_.revoked && trust_.revoked->revoked(w.certificate_serial)) {
            throw ApiError(403, "agent certificate " + w.certificate_serial + " is revoked");  // while it waited
        }
    } catch (const std::exception& e) {
        step.reply = error_reply(e);
    }
    return step;
}

Response Api::poll_reply(const std::vector<TaskRecord>& tasks) {
    return list_json("tasks", tasks, [](json::Writer& w, const TaskRecord& t) {
        w.StartObject();
        json::write_members(w, "id", t.id, "type", t.type, "args", json::Raw{t.args_json}, "created_ns",
                            t.created_ns, "timeout_s", t.timeout_s);
        // the operator's signature, verbatim: the agent checks it
        if (t.signature_json) json::write_members(w, "signature", json::Raw{*t.signature_json});
        w.EndObject();
    });
}

namespace {

// The reply for a task a result or file cannot be accepted for.
[[noreturn]] void refuse_answer(ResultOutcome outcome, const std::string& task_id) {
    switch (outcome) {
        case ResultOutcome::already_final:
            throw ApiError(409, "task " + task_id + " already has a result");
        case ResultOutcome::not_delivered:
            throw ApiError(409, "task " + task_id + " has not been delivered to this agent");
        case ResultOutcome::accepted:
        case ResultOutcome::not_found:
            break;
    }
    throw ApiError(404, "unknown task " + task_id);  // also another agent's task: it does not exist here
}

}  // namespace

Response Api::agent_task_result(const Request& r, const std::string& task_id) {
    std::string id = agent_of(r, true);
    const rapidjson::Document doc = json_body(r);
    if (!valid_task_id(task_id)) throw ApiError(404, "unknown task " + task_id);
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
    auto outcome = storage_.complete_task(task_id, id, status == "ok", result, error, now_ns());
    if (outcome != ResultOutcome::accepted) refuse_answer(outcome, task_id);
    return ok_json("{\"accepted\":true}");
}

Response Api::agent_task_file(const Request& r, const std::string& task_id) {
    std::string id = agent_of(r, true);
    require_content_type(r, "application/octet-stream");
    std::string sha = r.header("x-vigil-sha256");
    if (!valid_sha256_hex(sha))
        throw ApiError(400, "missing or invalid X-Vigil-Sha256 header (64 hex digits)");
    if (!valid_task_id(task_id)) throw ApiError(404, "unknown task " + task_id);
    auto task = storage_.find_task(task_id);
    if (!task || task->agent_id != id) throw ApiError(404, "unknown task " + task_id);
    if (task->state != TaskState::delivered && !(task->state == TaskState::expired && task->delivery_count > 0))
        refuse_answer(task->state == TaskState::pending || task->state == TaskState::expired
                          ? ResultOutcome::not_delivered
                          : ResultOutcome::already_final,
                      task_id);
    if (!r.body_stream) throw ApiError(400, "file body missing");
    TaskFile file = files_.receive(task_id, *r.body_stream, sha, r.content_length, settings_.max_file_bytes);
    AttachOutcome attached = storage_.attach_file(task_id, id, file);
    if (attached.outcome != ResultOutcome::accepted) {
        std::filesystem::remove(file.path);  // only the new file: earlier evidence stays
        refuse_answer(attached.outcome, task_id);
    }
    if (attached.previous_path) std::filesystem::remove(*attached.previous_path);
    return ok_json("{\"size\":" + std::to_string(file.size) + ",\"sha256\":\"" + file.sha256 + "\"}");
}

}  // namespace vigil::central
