#include "console_agents.hpp"

#include <algorithm>
#include <cctype>

#include "api_error.hpp"
#include "api_util.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

constexpr int64_t kMinuteNs = 60ll * 1000000000;

std::string lower_copy(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

const char* state_of(const AgentRecord& a, int64_t now_ns) {
    if (now_ns - a.last_seen_ns < 5 * kMinuteNs) return "online";
    if (now_ns - a.last_seen_ns < 60 * kMinuteNs) return "stale";
    return "offline";
}

// What the filters read from the last sync (info_json): isolation state and addresses.
struct SyncFacts {
    bool isolated = false;
    std::string ips;  // lower-case, space-separated
};

SyncFacts facts_of(const AgentRecord& a) {
    SyncFacts f;
    rapidjson::Document info;
    if (json::parse(info, a.info_json) || !info.IsObject()) return f;
    const auto* iso = json::member(info, "isolation");
    const auto* flag = iso && iso->IsObject() ? json::member(*iso, "isolated") : nullptr;
    f.isolated = flag && flag->IsBool() && flag->GetBool();
    if (const auto* ips = json::member(info, "ips"); ips && ips->IsArray())
        for (const auto& ip : ips->GetArray())
            if (ip.IsString()) f.ips += lower_copy(ip.GetString()) + " ";
    return f;
}

struct AgentFilter {
    std::optional<std::string> text;  // lower-case
    std::optional<std::string> state;
    std::optional<bool> isolated;

    bool matches(const AgentRecord& a, int64_t now_ns) const {
        if (state && *state != state_of(a, now_ns)) return false;
        if (!isolated && !text) return true;
        const SyncFacts facts = facts_of(a);
        if (isolated && *isolated != facts.isolated) return false;
        if (!text) return true;
        for (const std::string* f : {&a.agent_id, &a.hostname, &a.os, &a.kernel, &a.agent_version})
            if (lower_copy(*f).find(*text) != std::string::npos) return true;
        return facts.ips.find(*text) != std::string::npos;
    }
};

AgentFilter filter_of(const Request& r) {
    AgentFilter f;
    if (auto q = str_param(r, "q"); q && !q->empty()) {
        if (q->size() > 256) throw ApiError(400, "q: longer than 256 characters");
        f.text = lower_copy(*q);
    }
    if (auto s = str_param(r, "state"); s && !s->empty()) {
        if (*s != "online" && *s != "stale" && *s != "offline")
            throw ApiError(400, "state: expected online, stale or offline");
        f.state = *s;
    }
    if (auto i = str_param(r, "isolated"); i && !i->empty()) {
        if (*i != "true" && *i != "false") throw ApiError(400, "isolated: expected true or false");
        f.isolated = *i == "true";
    }
    return f;
}

Response csv_reply(const std::vector<const AgentRecord*>& rows, int64_t now_ns) {
    std::string out = "agent_id,hostname,os,kernel,agent_version,state,isolated,last_seen_ns\r\n";
    for (const auto* a : rows) {
        for (const std::string* f : {&a->agent_id, &a->hostname, &a->os, &a->kernel, &a->agent_version})
            out += csv_cell(*f) + ",";
        out += std::string(state_of(*a, now_ns)) + "," + (facts_of(*a).isolated ? "true" : "false") + "," +
               std::to_string(a->last_seen_ns) + "\r\n";
    }
    Response resp;
    resp.content_type = "text/csv; charset=utf-8";
    resp.body = std::move(out);
    resp.headers["Content-Disposition"] = "attachment; filename=\"vigil-agents.csv\"";
    return resp;
}

}  // namespace

std::string csv_cell(std::string_view value) {
    std::string v(value);
    if (!v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos) v.insert(0, "'");
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string quoted = "\"";
    for (char c : v) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

Response agents_page(const Request& r, const std::vector<AgentRecord>& agents, int64_t now_ns) {
    const bool paging = r.query.count("offset") || r.query.count("limit");
    const AgentFilter f = filter_of(r);
    std::vector<const AgentRecord*> rows;
    for (const auto& a : agents)
        if (f.matches(a, now_ns)) rows.push_back(&a);
    if (auto format = str_param(r, "format"); format && *format == "csv") return csv_reply(rows, now_ns);
    const auto offset = static_cast<size_t>(int_param(r, "offset", 0, 0, INT32_MAX));
    const auto limit = static_cast<size_t>(int_param(r, "limit", paging ? 100 : INT32_MAX, 1, paging ? 1000 : INT32_MAX));
    const size_t total = rows.size();
    const size_t first = std::min(offset, total);
    const size_t last = first + std::min(limit, total - first);
    std::vector<AgentRecord> page;
    for (size_t i = first; i < last; ++i) page.push_back(*rows[i]);
    Response resp = list_json("agents", page, write_agent);
    resp.body.pop_back();  // '}' of the object: add the counts
    resp.body += ",\"total\":" + std::to_string(total) + ",\"offset\":" + std::to_string(first) + "}";
    return resp;
}

}  // namespace vigil::central
