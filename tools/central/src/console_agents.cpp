#include "console_agents.hpp"

#include <algorithm>

#include "api_error.hpp"
#include "api_util.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

constexpr int64_t kMinuteNs = 60ll * 1000000000;

const char* state_of(const AgentRecord& a, int64_t now_ns) {
    if (now_ns - a.last_seen_ns < 5 * kMinuteNs) return "online";
    if (now_ns - a.last_seen_ns < 60 * kMinuteNs) return "stale";
    return "offline";
}

// The isolation plugin's state in the agent's last sync (for the CSV; the filter uses the
// column the database derives from the same field).
bool isolated_of(const AgentRecord& a) {
    rapidjson::Document info;
    if (json::parse(info, a.info_json) || !info.IsObject()) return false;
    const auto* iso = json::member(info, "isolation");
    const auto* flag = iso && iso->IsObject() ? json::member(*iso, "isolated") : nullptr;
    return flag && flag->IsBool() && flag->GetBool();
}

AgentQuery query_of(const Request& r, int64_t now_ns) {
    AgentQuery q;
    if (auto id = str_param(r, "id"); id && !id->empty()) q.agent_id = *id;
    if (auto text = str_param(r, "q"); text && !text->empty()) {
        if (text->size() > 256) throw ApiError(400, "q: longer than 256 characters");
        q.text = *text;
    }
    if (auto s = str_param(r, "state"); s && !s->empty()) {
        if (*s == "online") {
            q.seen_since_ns = now_ns - 5 * kMinuteNs + 1;
        } else if (*s == "stale") {
            q.seen_since_ns = now_ns - 60 * kMinuteNs + 1;
            q.seen_before_ns = now_ns - 5 * kMinuteNs + 1;
        } else if (*s == "offline") {
            q.seen_before_ns = now_ns - 60 * kMinuteNs + 1;
        } else {
            throw ApiError(400, "state: expected online, stale or offline");
        }
    }
    if (auto i = str_param(r, "isolated"); i && !i->empty()) {
        if (*i != "true" && *i != "false") throw ApiError(400, "isolated: expected true or false");
        q.isolated = *i == "true";
    }
    if (auto t = str_param(r, "tag"); t && !t->empty()) {
        q.tag = normalized_tag(*t);
        if (q.tag->empty()) throw ApiError(400, "tag: 1-64 characters of A-Z a-z 0-9 _ . : -");
    }
    return q;
}

Response csv_reply(const AgentPage& page, int64_t now_ns) {
    std::string out = "agent_id,hostname,os,kernel,agent_version,state,isolated,last_seen_ns,tags,note\r\n";
    for (size_t i = 0; i < page.agents.size(); ++i) {
        const AgentRecord& a = page.agents[i];
        for (const std::string* f : {&a.agent_id, &a.hostname, &a.os, &a.kernel, &a.agent_version})
            out += csv_cell(*f) + ",";
        std::string tags;
        for (const auto& t : page.labels[i].tags) tags += (tags.empty() ? "" : " ") + t;
        out += std::string(state_of(a, now_ns)) + "," + (isolated_of(a) ? "true" : "false") + "," +
               std::to_string(a.last_seen_ns) + "," + csv_cell(tags) + "," + csv_cell(page.labels[i].note) + "\r\n";
    }
    Response resp;
    resp.content_type = "text/csv; charset=utf-8";
    resp.body = std::move(out);
    resp.headers["Content-Disposition"] = "attachment; filename=\"vigil-agents.csv\"";
    return resp;
}

}  // namespace

void write_label_members(json::Writer& w, const AgentLabels& l) {
    w.Key("tags");
    w.StartArray();
    for (const auto& t : l.tags) w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
    w.EndArray();
    json::write_members(w, "note", l.note, "labels_updated_ns", l.updated_ns, "labels_updated_by", l.updated_by);
}

std::string csv_cell(std::string_view value) {
    std::string v(value);
    if (!v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos) v.insert(0, "'");
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string quoted = "\"";
    for (char c : v) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

Response agents_page(const Request& r, Storage& storage, int64_t now_ns) {
    const bool paging = r.query.count("offset") || r.query.count("limit");
    AgentQuery q = query_of(r, now_ns);
    if (auto format = str_param(r, "format"); format && *format == "csv")
        return csv_reply(storage.query_agents(q), now_ns);
    q.offset = static_cast<uint64_t>(int_param(r, "offset", 0, 0, INT32_MAX));
    if (paging) q.limit = static_cast<uint64_t>(int_param(r, "limit", 100, 1, 1000));
    AgentPage page = storage.query_agents(q);
    std::vector<size_t> rows(page.agents.size());
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
    Response resp = list_json("agents", rows, [&](json::Writer& w, size_t i) {
        write_agent(w, page.agents[i], &page.labels[i]);
    });
    resp.body.pop_back();  // '}' of the object: add the counts
    resp.body += ",\"total\":" + std::to_string(page.total) + ",\"offset\":" +
                 std::to_string(std::min<uint64_t>(q.offset, page.total)) + "}";
    return resp;
}

}  // namespace vigil::central
