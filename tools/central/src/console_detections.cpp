// Detection triage: GET /api/v1/detections lists detections (events of type "detection") with
// their current triage state; POST /api/v1/detections/triage changes the state of one or
// more (new -> acknowledged -> closed with a reason; assignee and note); every change is kept
// as history (storage) and audited.
#include <map>

#include "api.hpp"
#include "api_error.hpp"
#include "api_util.hpp"
#include "ids.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

constexpr size_t kMaxTriageBatch = 500;

bool valid_status(const std::string& s) { return s == "new" || s == "acknowledged" || s == "closed"; }

std::string bounded(const rapidjson::Value& doc, const char* name, size_t max) {
    const auto* v = json::member(doc, name);
    if (v && !v->IsNull() && !v->IsString()) throw ApiError(400, std::string(name) + ": must be a string");
    std::string s = json::string_or(doc, name);
    if (s.size() > max) throw ApiError(400, std::string(name) + ": longer than " + std::to_string(max) + " characters");
    return s;
}

void write_triage(json::Writer& w, const TriageRecord& t) {
    w.StartObject();
    json::write_members(w, "status", t.status, "assignee", t.assignee, "reason", t.reason, "note", t.note, "by",
                        t.actor, "time_ns", t.time_ns);
    w.EndObject();
}

}  // namespace

Response Api::list_detections(const Request& r) {
    require_role(r, Role::viewer);
    EventQuery q;
    const int64_t now = now_ns();
    q.type = "detection";
    q.agent_id = str_param(r, "agent");
    if (q.agent_id && !valid_agent_id(*q.agent_id)) throw ApiError(400, "agent: invalid agent id");
    q.since_ns = time_param(r, "since", now).value_or(now - 86400ll * 1000000000);
    q.until_ns = time_param(r, "until", now);
    q.limit = static_cast<uint32_t>(int_param(r, "limit", 200, 1, 1000));
    const auto status = str_param(r, "status");
    if (status && !status->empty() && !valid_status(*status))
        throw ApiError(400, "status: expected new, acknowledged or closed");
    const auto events = storage_.query_events(q);
    std::vector<int64_t> ids;
    for (const auto& e : events) ids.push_back(e.id);
    std::map<int64_t, std::vector<TriageRecord>> history;
    for (auto& t : storage_.triage_history(ids)) history[t.event_id].push_back(std::move(t));
    const bool with_history = str_param(r, "history").value_or("") == "true";
    std::vector<const EventRow*> rows;
    for (const auto& e : events) {
        const auto& h = history[e.id];
        const std::string current = h.empty() ? "new" : h.back().status;
        if (!status || status->empty() || *status == current) rows.push_back(&e);
    }
    return list_json("detections", rows, [&](json::Writer& w, const EventRow* e) {
        const auto& h = history[e->id];
        w.StartObject();
        json::write_members(w, "id", e->id, "agent_id", e->agent_id, "time_ns", e->time_ns, "event", json::Raw{e->raw});
        w.Key("triage");
        if (h.empty()) {
            write_triage(w, TriageRecord{e->id, 0, "", "new", "", "", ""});
        } else {
            write_triage(w, h.back());
        }
        if (with_history) {
            w.Key("history");
            w.StartArray();
            for (const auto& t : h) write_triage(w, t);
            w.EndArray();
        }
        w.EndObject();
    });
}

namespace {

// The records a triage request asks for (one per event id), from its JSON body.
std::vector<TriageRecord> triage_records(const Request& r, int64_t now) {
    rapidjson::Document doc;
    parse_json_body(r, doc);
    TriageRecord t;
    t.status = bounded(doc, "status", 32);
    if (!valid_status(t.status)) throw ApiError(400, "status: expected new, acknowledged or closed");
    t.assignee = bounded(doc, "assignee", 256);
    t.reason = bounded(doc, "reason", 1024);
    t.note = bounded(doc, "note", 4096);
    if (t.status == "closed" && t.reason.empty()) throw ApiError(400, "reason: closing a detection needs one");
    t.actor = r.principal->name;
    t.time_ns = now;
    const auto* ids = json::member(doc, "event_ids");
    if (!ids || !ids->IsArray() || ids->Empty() || ids->Size() > kMaxTriageBatch)
        throw ApiError(400, "event_ids: expected 1.." + std::to_string(kMaxTriageBatch) + " event ids");
    std::vector<TriageRecord> records;
    for (const auto& id : ids->GetArray()) {
        if (!id.IsInt64() || id.GetInt64() <= 0) throw ApiError(400, "event_ids: each must be a positive integer");
        t.event_id = id.GetInt64();
        records.push_back(t);
    }
    return records;
}

}  // namespace

Response Api::triage_detections(const Request& r) {
    return audited(*this, r, "detection.triage", "-", [&](std::string& target, std::string& detail) {
        require_role(r, Role::responder);
        const std::vector<TriageRecord> records = triage_records(r, now_ns());
        const TriageRecord& t = records.front();
        target.clear();
        for (const auto& rec : records) target += (target.empty() ? "" : ",") + std::to_string(rec.event_id);
        if (target.size() > 200) target = target.substr(0, 200) + "...";
        detail = "status " + t.status + (t.assignee.empty() ? "" : " assignee " + json::quote(t.assignee)) +
                 (t.reason.empty() ? "" : " reason " + json::quote(t.reason)) +
                 (t.note.empty() ? "" : " note " + json::quote(t.note));
        if (auto missing = storage_.add_triage(records))
            throw ApiError(404, "event " + std::to_string(*missing) + " is not a stored detection");
        return ok_json("{\"changed\":" + std::to_string(records.size()) + "}");
    });
}

}  // namespace vigil::central
