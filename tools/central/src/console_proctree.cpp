#include "console_proctree.hpp"

#include <map>
#include <set>
#include <vector>

#include "api_error.hpp"
#include "api_util.hpp"
#include "ids.hpp"

namespace vigil::central {

using namespace api_util;

namespace {

constexpr int64_t kHourNs = 3600ll * 1000000000;
constexpr size_t kMaxAncestors = 32;
constexpr uint32_t kMaxProcessEvents = 10000, kMaxDetections = 1000;

struct Proc {
    int64_t pid = -1, ppid = -1;
    std::string cmd_line, parent_cmd_line;
    int64_t event_id = 0, time_ns = 0;
};

struct Finding {
    int64_t event_id = 0;
    std::string title, severity;
};

// The process an event is about: `process`, or a detection's first evidence's process.
std::optional<Proc> proc_of(const EventRow& e) {
    rapidjson::Document d;
    if (json::parse(d, e.raw) || !d.IsObject()) return std::nullopt;
    const rapidjson::Value* p = json::member(d, "process");
    if (const auto* ev = json::member(d, "evidences"); !p && ev && ev->IsArray() && !ev->Empty() && (*ev)[0].IsObject())
        p = json::member((*ev)[0], "process");
    if (!p || !p->IsObject()) return std::nullopt;
    const auto* pid = json::member(*p, "pid");
    if (!pid || !pid->IsInt64()) return std::nullopt;
    Proc out{pid->GetInt64(), -1, json::string_or(*p, "cmd_line"), "", e.id, e.time_ns};
    if (const auto* parent = json::member(*p, "parent_process"); parent && parent->IsObject()) {
        const auto* ppid = json::member(*parent, "pid");
        if (ppid && ppid->IsInt64()) out.ppid = ppid->GetInt64();
        out.parent_cmd_line = json::string_or(*parent, "cmd_line");
    }
    return out;
}

Finding finding_of(const EventRow& e) {
    rapidjson::Document d;
    Finding f{e.id, "", ""};
    if (json::parse(d, e.raw) || !d.IsObject()) return f;
    if (const auto* info = json::member(d, "finding_info"); info && info->IsObject()) f.title = json::string_or(*info, "title");
    f.severity = json::string_or(d, "severity");
    return f;
}

struct Tree {
    std::vector<Proc> procs;                      // oldest first
    std::map<int64_t, std::vector<Finding>> found;  // detections by pid

    void write(json::Writer& w, const Proc& p) const {
        w.StartObject();
        json::write_members(w, "pid", p.pid, "cmd_line", p.cmd_line, "event_id", p.event_id, "time_ns", p.time_ns);
        w.Key("detections");
        w.StartArray();
        if (auto it = found.find(p.pid); it != found.end())
            for (const auto& f : it->second) {
                w.StartObject();
                json::write_members(w, "event_id", f.event_id, "title", f.title, "severity", f.severity);
                w.EndObject();
            }
        w.EndArray();
        w.EndObject();
    }
    // The newest process event of `pid` not after `time_ns`.
    const Proc* newest(int64_t pid, int64_t time_ns) const {
        const Proc* best = nullptr;
        for (const auto& p : procs)
            if (p.pid == pid && p.time_ns <= time_ns) best = &p;
        return best;
    }
    std::vector<Proc> ancestors(const Proc& self) const {
        std::vector<Proc> out;
        std::set<int64_t> seen{self.pid};
        Proc child = self;
        while (child.ppid >= 0 && !seen.count(child.ppid) && out.size() < kMaxAncestors) {
            seen.insert(child.ppid);
            const Proc* parent = newest(child.ppid, child.time_ns);
            if (!parent) {  // not stored: what the child said about it
                out.push_back(Proc{child.ppid, -1, child.parent_cmd_line, "", 0, 0});
                break;
            }
            out.push_back(*parent);
            child = *parent;
        }
        return {out.rbegin(), out.rend()};
    }
    std::vector<Proc> children(const Proc& self) const {
        std::vector<Proc> out;
        std::set<int64_t> seen;
        for (const auto& p : procs)
            if (p.ppid == self.pid && p.pid != self.pid && p.time_ns >= self.time_ns && seen.insert(p.pid).second)
                out.push_back(p);
        return out;
    }
};

}  // namespace

Response process_tree(const Request& r, Storage& storage, int64_t now_ns) {
    EventQuery q;
    q.agent_id = str_param(r, "agent");
    if (!q.agent_id || !valid_agent_id(*q.agent_id)) throw ApiError(400, "agent: missing or invalid agent id");
    const int64_t event_id = int_param(r, "event", 0, 1, INT64_MAX);
    if (event_id == 0) throw ApiError(400, "event: missing");
    const int64_t at = int_param(r, "time_ns", now_ns, 0, INT64_MAX - kHourNs);
    q.since_ns = at - 24 * kHourNs;
    q.until_ns = at + kHourNs;
    q.type = "process";
    q.limit = kMaxProcessEvents;
    Tree t;
    std::optional<Proc> self;
    for (const auto& e : storage.query_events(q))
        if (auto p = proc_of(e)) {
            t.procs.push_back(*p);
            if (e.id == event_id) self = *p;
        }
    q.type = "detection";
    q.limit = kMaxDetections;
    for (const auto& e : storage.query_events(q))
        if (auto p = proc_of(e)) {
            t.found[p->pid].push_back(finding_of(e));
            if (e.id == event_id) self = *p;
        }
    if (!self) throw ApiError(404, "event " + std::to_string(event_id) + " is no process or detection event of " +
                                       *q.agent_id + " within 24 h before time_ns");
    rapidjson::StringBuffer b;
    json::Writer w(b);
    w.StartObject();
    w.Key("self");
    t.write(w, *self);
    w.Key("ancestors");
    w.StartArray();
    for (const auto& a : t.ancestors(*self)) t.write(w, a);
    w.EndArray();
    w.Key("children");
    w.StartArray();
    for (const auto& c : t.children(*self)) t.write(w, c);
    w.EndArray();
    w.EndObject();
    return ok_json(buffer_string(b));
}

}  // namespace vigil::central
