// Operators' tags and notes on an agent: POST /api/v1/agents/<id>/labels {"tags": [...],
// "note": "..."} replaces them (responder or admin), audited as agent.labels. The agents page
// shows them, filters by tag (tag=) and searches them (q=).
#include <algorithm>

#include "api.hpp"
#include "api_error.hpp"
#include "api_util.hpp"
#include "console_agents.hpp"
#include "ids.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

constexpr size_t kMaxTags = 32;
constexpr size_t kMaxNote = 4096;

AgentLabels labels_of(const Request& r) {
    rapidjson::Document doc;
    parse_json_body(r, doc);
    AgentLabels l;
    if (const auto* tags = json::member(doc, "tags")) {
        if (!tags->IsArray() || tags->Size() > kMaxTags)
            throw ApiError(400, "tags: expected an array of at most " + std::to_string(kMaxTags) + " tags");
        for (const auto& t : tags->GetArray()) {
            const std::string tag = t.IsString() ? normalized_tag(t.GetString()) : std::string();
            if (tag.empty()) throw ApiError(400, "tags: each tag is 1-64 characters of A-Z a-z 0-9 _ . : -");
            l.tags.push_back(tag);
        }
    }
    std::sort(l.tags.begin(), l.tags.end());
    l.tags.erase(std::unique(l.tags.begin(), l.tags.end()), l.tags.end());
    if (const auto* note = json::member(doc, "note"); note && !note->IsNull()) {
        if (!note->IsString()) throw ApiError(400, "note: must be a string");
        l.note.assign(note->GetString(), note->GetStringLength());
        if (l.note.size() > kMaxNote) throw ApiError(400, "note: longer than " + std::to_string(kMaxNote) + " bytes");
    }
    return l;
}

}  // namespace

std::string normalized_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > 64) return {};
    std::string out;
    for (char c : tag) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' || c == '-';
        if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        } else if (ok) {
            out += c;
        } else {
            return {};
        }
    }
    return out;
}

Response Api::set_agent_labels(const Request& r, const std::string& agent_id) {
    return audited(*this, r, "agent.labels", agent_id, [&](std::string&, std::string& detail) {
        require_role(r, Role::responder);
        if (!valid_agent_id(agent_id)) throw ApiError(400, "invalid agent id");
        AgentLabels l = labels_of(r);
        l.updated_ns = now_ns();
        l.updated_by = r.principal->name;
        std::string tags;
        for (const auto& t : l.tags) tags += (tags.empty() ? "" : ",") + t;
        detail = "tags " + json::quote(tags) + " note " + json::quote(l.note.substr(0, 200));
        if (!storage_.set_agent_labels(agent_id, l)) throw ApiError(404, "no agent " + agent_id);
        rapidjson::StringBuffer b;
        json::Writer w(b);
        w.StartObject();
        json::write_members(w, "agent_id", agent_id);
        write_label_members(w, l);
        w.EndObject();
        return ok_json(buffer_string(b));
    });
}

}  // namespace vigil::central
