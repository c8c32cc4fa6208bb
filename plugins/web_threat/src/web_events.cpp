#include "web_events.hpp"

#include "socket_owner.hpp"

#include <vigil/common/proc.hpp>
#include <vigil/json_reader.hpp>
#include <vigil/json_writer.hpp>
#include <vigil/records.hpp>

namespace vigil::web_threat {

namespace {

std::string text(const json::Value& v, const char* key) {
    const json::Value* m = v.find(key);
    return m && m->is_string() ? m->as_string() : std::string();
}

ProcessInfo process_of(pid_t pid) {
    const common::ProcFs proc;
    const auto st = proc.status(pid);
    if (!st) return ProcessInfo{.pid = pid};  // gone already
    ProcessInfo p{.flags = VIGIL_PROC_FLAG_KNOWN, .pid = pid, .ppid = st->ppid, .uid = st->uid, .euid = st->euid,
                  .gid = st->gid, .egid = st->egid, .argv = proc.cmdline(pid), .comm = st->name};
    if (const auto exe = proc.exe(pid)) p.exe = exe->path;
    p.cmdline = common::join_argv(p.argv);
    return p;
}

vigil_severity severity_of(const std::string& category) {
    return category == "malicious" || category == "phishing" ? VIGIL_SEV_HIGH : VIGIL_SEV_MEDIUM;
}

}  // namespace

void publish_verdict(const Host& host, const std::string& report_json, std::atomic<uint64_t>& own_ids,
                     WebCounters& counters, bool find_process) {
    json::Value r;
    try {
        r = json::parse(report_json);
    } catch (const std::exception&) {
        counters.unreadable.fetch_add(1);
        return;
    }
    if (const json::Value* d = r.find("reports_dropped"); d && d->is_uint64())
        counters.reports_dropped.store(d->as_uint64());
    const std::string action = text(r, "action");
    if (action == "refused") {
        counters.refused.fetch_add(1);
        return;
    }
    const json::Value* numbered = r.find("threat_id");
    const uint64_t threat_id = numbered && numbered->is_uint64() && numbered->as_uint64()
                                   ? numbered->as_uint64()
                                   : own_ids.fetch_add(1);
    const bool blocked = action == "blocked", trusted = action == "trusted";
    (blocked ? counters.blocked : trusted ? counters.trusted : counters.notified).fetch_add(1);
    const std::string host_name = text(r, "host"), url = text(r, "url"), category = text(r, "category");
    // A SOCKS request for an address: the address asked for, not the proxy's.
    const std::string via_proxy = text(r, "target");
    std::string object = !url.empty()         ? url
                         : !host_name.empty() ? host_name
                         : !via_proxy.empty() ? via_proxy
                                              : text(r, "destination");
    Threat t;
    // A trusted address that overrode a list entry: for the record only.
    t.severity = trusted ? VIGIL_SEV_INFO : severity_of(category);
    t.threat_id = threat_id;
    t.detector = "web_threat";
    t.rule_id = text(r, "list") + ":" + text(r, "entry");
    t.title = std::string(blocked ? "Blocked " : trusted ? "Allowed trusted " : "Visited ") +
              (category.empty() ? "listed" : category) + " site " + (host_name.empty() ? object : host_name);
    t.description = text(r, "protocol") + " " + object + " from " + text(r, "client") + " matched " +
                    text(r, "kind") + " entry " + text(r, "entry") + " of list " + text(r, "list") +
                    (blocked    ? "; refused."
                     : trusted  ? "; let through: trusted address " + text(r, "trusted_entry") + "."
                                : "; let through (action_on_detect: notify).");
    t.tags = "web_threat," + category;
    t.object_type = url.empty() ? "domain" : "url";
    t.object = object;
    t.details_json = report_json;
    const json::Value* inode = r.find("inode");
    if (find_process && inode && inode->is_uint64())
        if (const pid_t pid = socket_process(inode->as_uint64())) t.process = process_of(pid);
    t.publish(host);
    if (!blocked) return;
    ActionResult a;
    a.threat_id = threat_id;
    a.action = "block";
    a.object = object;
    a.origin = "policy";
    a.details_json = report_json;
    a.publish(host);
}

void publish_worker_health(const Host& host, bool up, const std::string& why) {
    ActionResult a;
    a.action = "intercept";
    a.object = "web traffic";
    a.origin = "web_threat";
    JsonWriter w;
    w.begin_object().field("worker", up ? "running" : "down").field("reason", why).end_object();
    a.details_json = w.take();
    if (!up) {
        a.status = VIGIL_EFAILED;
        a.error = why;
    }
    a.publish(host);
}

bool worker_report_of(const std::string& report_json, std::string_view type, json::Value& out) {
    if (report_json.rfind(std::string(R"({"type":")").append(type) + '"', 0) != 0) return false;
    try {
        out = json::parse(report_json);
    } catch (const std::exception&) {
        out = json::Value();
    }
    return true;
}

}  // namespace vigil::web_threat
