// CLI commands over the operator API: agents, events, tasks, files, stats.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <vigil/common/secret_file.hpp>
#include <vigil/common/task_signature.hpp>

#include "cli_commands.hpp"
#include "ids.hpp"
#include "time_spec.hpp"
#include "cli_output.hpp"
#include "json.hpp"
#include "sha256.hpp"

namespace vigil::central {
namespace {

// KEY=VALUE: a value that parses as JSON number, bool, null, array or object is that, else a string.
void add_kv_arg(rapidjson::Document& args, const std::string& kv) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("task argument must be KEY=VALUE, got " + kv);
    std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
    rapidjson::Document parsed(&args.GetAllocator());
    rapidjson::Value v;
    if (!json::parse(parsed, value) && !parsed.IsString()) {
        v.CopyFrom(parsed, args.GetAllocator());
    } else {
        v.SetString(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), args.GetAllocator());
    }
    args.RemoveMember(key.c_str());
    args.AddMember(rapidjson::Value(key.c_str(), args.GetAllocator()), v, args.GetAllocator());
}

}  // namespace

int cmd_agents(CentralClient& client, const Args& a) {
    auto doc = expect_json(client.request("GET", "/api/v1/agents"));
    if (a.flag("json")) return print_json(doc), 0;
    std::vector<std::vector<std::string>> rows;
    for (const auto& ag : array_at(doc, "agents").GetArray()) {
        rows.push_back({str_at(ag, {"agent_id"}), str_at(ag, {"hostname"}), str_at(ag, {"os"}),
                        str_at(ag, {"agent_version"}), format_age(i64_at(ag, "last_seen_ns")),
                        join_array(json::member(ag, "ips"))});
    }
    print_table({"AGENT_ID", "HOSTNAME", "OS", "VERSION", "LAST_SEEN", "IPS"}, rows);
    return 0;
}

int cmd_events(CentralClient& client, const Args& a) {
    std::string q;
    for (const char* key : {"agent", "type", "since", "until", "text", "limit"}) {
        if (auto v = a.opt(key)) q += (q.empty() ? "?" : "&") + std::string(key) + "=" + url_encode(*v);
    }
    auto doc = expect_json(client.request("GET", "/api/v1/events" + q));
    if (a.flag("json")) return print_json(doc), 0;
    std::vector<std::vector<std::string>> rows;
    static const rapidjson::Value kEmpty(rapidjson::kObjectType);
    for (const auto& e : array_at(doc, "events").GetArray()) {
        std::string type = str_at(e, {"type"});
        const auto* ev = json::member(e, "event");
        rows.push_back({str_at(e, {"id"}), format_time(i64_at(e, "time_ns")),
                        str_at(e, {"agent_id"}).substr(0, 8), type, summarize(type, ev ? *ev : kEmpty)});
    }
    print_table({"ID", "TIME", "AGENT", "TYPE", "SUMMARY"}, rows);
    return 0;
}

int cmd_stats(CentralClient& client, const Args& a) {
    auto doc = expect_json(client.request("GET", "/api/v1/stats?sizes=1"));
    if (a.flag("json")) return print_json(doc), 0;
    if (!doc.IsObject()) throw std::runtime_error("server reply is not an object");
    const rapidjson::Value& stats = doc;  // const iteration: no C++20 reversed-operator ambiguity
    for (const auto& m : stats.GetObject()) {
        if (std::string_view(m.name.GetString()) != "storage" || !m.value.IsObject()) {
            std::cout << m.name.GetString() << ": " << json::to_string(m.value) << "\n";
            continue;
        }
        // One line per size, one per receive day: readable, and still easy to grep.
        for (const auto& s : m.value.GetObject()) {
            if (std::string_view(s.name.GetString()) != "days" || !s.value.IsArray()) {
                std::cout << "storage." << s.name.GetString() << ": " << json::to_string(s.value) << "\n";
                continue;
            }
            for (const auto& d : s.value.GetArray()) std::cout << "storage.day: " << json::to_string(d) << "\n";
        }
    }
    return 0;
}


namespace {

// The JSON body of POST /api/v1/tasks from `task create --agent ID TYPE [K=V...] [--args]`.
std::string task_create_body(const Args& a, std::string& args_text) {
    auto agent = a.opt("agent");
    if (!agent) throw UsageError("task create needs --agent ID");
    if (a.positional.size() < 3) throw UsageError("task create needs a TYPE (e.g. ping, get_file)");
    rapidjson::Document args;
    args.SetObject();
    if (auto raw = a.opt("args")) {
        if (auto err = json::parse(args, *raw)) throw UsageError("--args: " + *err);
        if (!args.IsObject()) throw UsageError("--args must be a JSON object");
    }
    for (size_t i = 3; i < a.positional.size(); ++i) add_kv_arg(args, a.positional[i]);
    args_text = json::to_string(args);
    std::string body = "{\"agent_id\":" + json::quote(*agent) + ",\"type\":" + json::quote(a.positional[2]) +
                       ",\"args\":" + args_text;
    if (a.opt("timeout"))
        body += ",\"timeout_s\":" + std::to_string(static_cast<int64_t>(number_flag(a, "timeout", 0)));
    return body;
}

// `,"id":…,"created_ns":…,"signature":{…}` for a task signed with the operator's Ed25519 key
// (docs/protocol.md, "Task signatures"): the id and the creation time are chosen here, since
// they are signed.
std::string signed_task_fields(const Args& a, const std::string& key_file, const std::string& args_text) {
    std::string pem;
    try {
        pem = vigil::common::read_secret_text(key_file);
    } catch (const std::exception& e) {
        throw UsageError(std::string("--sign-key: ") + e.what());
    }
    vigil::common::SignedTaskFields f;
    f.task_id = new_task_id();
    f.agent_id = *a.opt("agent");
    f.type = a.positional[2];
    f.created_ns = now_ns();
    f.expires_ns = f.created_ns + duration_flag(a, "sign-expires", 3600) * 1000000000;
    f.args_json = args_text;
    std::string key_id;
    std::string value = vigil::common::ed25519_sign(pem, vigil::common::task_signing_bytes(f), key_id);
    return ",\"id\":\"" + f.task_id + "\",\"created_ns\":" + std::to_string(f.created_ns) +
           ",\"signature\":{\"alg\":\"ed25519\",\"key_id\":\"" + key_id + "\",\"expires_ns\":" +
           std::to_string(f.expires_ns) + ",\"args\":" + json::quote(args_text) + ",\"value\":\"" + value + "\"}";
}

int task_create(CentralClient& client, const Args& a) {
    std::string args_text;
    std::string body = task_create_body(a, args_text);
    if (auto key_file = a.opt("sign-key")) body += signed_task_fields(a, *key_file, args_text);
    body += "}";
    auto doc = expect_json(client.request("POST", "/api/v1/tasks", body));
    if (a.flag("json")) return print_json(doc), 0;
    std::cout << str_at(doc, {"id"}) << "\n";
    return 0;
}

int task_show(CentralClient& client, const Args& a) {
    if (a.positional.size() < 3) throw UsageError("task show needs a task ID");
    std::string path = "/api/v1/tasks/" + url_encode(a.positional[2]);
    double wait_s = number_flag(a, "wait", 0);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(wait_s * 1000));
    for (;;) {
        auto doc = expect_json(client.request("GET", path));
        std::string state = str_at(doc, {"state"});
        bool final = state == "done" || state == "error" || state == "expired" || state == "cancelled";
        if (final || std::chrono::steady_clock::now() >= deadline) {
            if (a.flag("json")) {
                print_json(doc);
            } else {
                print_task(doc);
            }
            if (!final && wait_s > 0) {
                std::cerr << "vigil-central: task still " << state << " after " << wait_s << " s\n";
                return 1;
            }
            return 0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

int task_list(CentralClient& client, const Args& a) {
    std::string q = "?limit=" + url_encode(a.opt("limit").value_or("100"));
    if (auto agent = a.opt("agent")) q += "&agent=" + url_encode(*agent);
    auto doc = expect_json(client.request("GET", "/api/v1/tasks" + q));
    if (a.flag("json")) return print_json(doc), 0;
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : array_at(doc, "tasks").GetArray()) {
        std::string outcome = !str_at(t, {"error"}).empty() ? str_at(t, {"error"}) : json_at(t, "result");
        rows.push_back({str_at(t, {"id"}), str_at(t, {"agent_id"}).substr(0, 8), str_at(t, {"type"}),
                        str_at(t, {"state"}), format_time(i64_at(t, "created_ns")), truncate(outcome, 80)});
    }
    print_table({"ID", "AGENT", "TYPE", "STATE", "CREATED", "RESULT"}, rows);
    return 0;
}

std::string file_sha256(const std::string& path, uint64_t& size) {
    Sha256 h;
    std::ifstream in(path, std::ios::binary);
    char buf[65536];
    size = 0;
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        h.update(buf, static_cast<size_t>(in.gcount()));
        size += static_cast<uint64_t>(in.gcount());
    }
    return h.hex_digest();
}

// The hash the agent reported in its (authenticated) result for the task's file: the
// result's "upload_sha256" (what kataedr uploaded), else its "sha256" (get_file's own).
// Empty when it reported none.
std::string reported_sha256(CentralClient& client, const std::string& task_id) {
    auto task = expect_json(client.request("GET", "/api/v1/tasks/" + url_encode(task_id)));
    for (const char* key : {"upload_sha256", "sha256"}) {
        std::string v = str_at(task, {"result", key});
        if (v.size() == 64) return v;
    }
    return {};
}

}  // namespace

int cmd_task(CentralClient& client, const Args& a) {
    if (a.positional.size() < 2) throw UsageError("task needs create, show or list");
    const std::string& verb = a.positional[1];
    if (verb == "create") return task_create(client, a);
    if (verb == "show") return task_show(client, a);
    if (verb == "list") return task_list(client, a);
    throw UsageError("unknown task command " + verb);
}

int cmd_file(CentralClient& client, const Args& a) {
    if (a.positional.size() != 4 || a.positional[1] != "get") throw UsageError("usage: file get TASK_ID OUT");
    const std::string& out_path = a.positional[3];
    std::string expected = reported_sha256(client, a.positional[2]);
    std::string tmp = out_path + ".part";
    HttpReply reply;
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write " + tmp);
        reply = client.download("/api/v1/tasks/" + url_encode(a.positional[2]) + "/file", out);
        out.close();
        if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    if (reply.status / 100 != 2) {
        std::filesystem::remove(tmp);
        expect_json(reply);  // throws with the server's reason
    }
    uint64_t size = 0;
    std::string digest = file_sha256(tmp, size);
    // Checked against what the agent itself reported in its result, not against a header the
    // uploader (or the server's disk) supplies.
    if (expected.empty() || digest != expected) {
        std::filesystem::remove(tmp);
        throw std::runtime_error(expected.empty() ? "the task's result reports no sha256 to verify the file against"
                                                  : "downloaded file has sha256 " + digest +
                                                        ", but the agent reported " + expected);
    }
    std::filesystem::rename(tmp, out_path);
    if (a.flag("json")) {
        std::cout << "{\"path\":" << json::quote(out_path) << ",\"size\":" << size << ",\"sha256\":\"" << digest
                  << "\"}\n";
    } else {
        std::cout << "wrote " << size << " bytes to " << out_path << " (sha256 " << digest
                  << ", as reported by the agent)\n";
    }
    return 0;
}

}  // namespace vigil::central
