#include "results.hpp"

#include <csignal>
#include <cstring>

#include "json_util.hpp"

namespace vigil::response {

namespace {
void file_facts(JsonOut& o, const FileFacts& f) {
    o.field("path", f.path)
        .field("resolved_path", f.resolved_path)
        .field("symlink_followed", f.symlink_followed);
    o.field("size", f.size);
    if (!f.sha256.empty()) o.field("sha256", f.sha256);
    o.field("mode", mode_octal(f.mode)).field("uid", f.uid).field("gid", f.gid);
    o.field("owner", f.owner).field("group", f.group).field("mtime_ns", f.mtime_ns);
}

void process_ref(JsonOut& o, const ProcessRef& p) {
    o.field("pid", p.pid).field("ppid", p.ppid).field("exe", p.exe).field("comm", p.comm);
    o.field("start_time_ns", p.start_time_ns).field("descendant", p.descendant);
}

// `key`: an array of the processes in `list`, each its reference and `field_of(entry)`
// (the signal sent, the reason it was not) as `field`.
template <class List, class FieldOf>
void process_list(JsonOut& o, const char* key, const List& list, const char* field, FieldOf field_of) {
    o.key(key).begin_array();
    for (const auto& p : list) {
        o.begin_object();
        process_ref(o, p.proc);
        o.field(field, field_of(p));
        o.end_object();
    }
    o.end_array();
}

}  // namespace

std::string signal_name(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? std::string("SIG") + abbrev : "SIG" + std::to_string(sig);
}

std::string get_file_result_json(const StagedFile& f) {
    JsonOut o;
    o.begin_object();
    file_facts(o, f.facts);
    o.field("staged_path", f.staged_path);
    // Read by the kataedr connector: streams the file to the central node.
    o.field("upload_file", f.staged_path).field("upload_file_delete", true);
    o.end_object();
    return o.take();
}

std::string delete_file_result_json(const DeleteOutcome& d) {
    JsonOut o;
    o.begin_object();
    file_facts(o, d.check.facts);
    o.field("deleted", true).field("hard_links", d.check.hard_links);
    o.field("backup_id", d.backup_id);
    o.key("backup").raw(d.backup_entry_json.empty() ? "null" : d.backup_entry_json);
    o.field("restore", "vigilctl quarantine restore " + d.backup_id);
    o.end_object();
    return o.take();
}

std::string run_process_result_json(const RunOutcome& r, double timeout_s, bool limited,
                                    uint64_t output_cap) {
    JsonOut o;
    o.begin_object();
    o.field("pid", r.pid).field("executable", r.executable);
    o.key("argv").begin_array();
    for (const auto& a : r.argv) o.str(a);
    o.end_array();
    o.field("cwd", r.cwd).field("user", r.user).field("uid", r.uid).field("gid", r.gid);
    o.field("exited", r.exited);
    if (r.exited)
        o.field("exit_code", r.exit_code);
    else
        o.key("exit_code").null();
    if (r.term_signal)
        o.field("signal", r.term_signal).field("signal_name", signal_name(r.term_signal));
    else
        o.key("signal").null();
    if (!r.status_known) o.field("status_unknown", true);
    o.field("timed_out", r.timed_out).key("timeout_s").dbl(timeout_s);
    if (limited) o.field("timeout_limited_by_command_deadline", true);
    if (r.cancelled) o.field("cancelled", true);
    o.field("start_time_ns", r.start_ns).field("end_time_ns", r.end_ns);
    o.field("duration_ms", (r.end_ns - r.start_ns) / 1000000);
    auto put = [&](const char* name, const CapturedStream& s) {
        const bool cut = s.data.size() > output_cap;
        o.field(name,
                cut ? std::string_view(s.data).substr(0, size_t(output_cap)) : std::string_view(s.data));
        o.field((std::string(name) + "_bytes").c_str(), s.total_bytes);
        o.field((std::string(name) + "_truncated").c_str(), s.truncated || cut);
    };
    put("stdout", r.out);
    put("stderr", r.err);
    if (r.output_incomplete) o.field("output_incomplete", true);
    o.end_object();
    return o.take();
}

std::string terminate_result_json(const TerminateOutcome& t) {
    JsonOut o;
    o.begin_object();
    o.field("matched", t.matched);
    process_list(o, "terminated", t.terminated, "signal", [](const auto& p) { return p.signal; });
    process_list(o, "not_terminated", t.not_terminated, "reason", [](const auto& p) { return p.reason; });
    o.end_object();
    return o.take();
}

}  // namespace vigil::response
