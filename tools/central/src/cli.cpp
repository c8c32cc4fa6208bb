#include "cli.hpp"

#include <rapidjson/prettywriter.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "cli_client.hpp"
#include "config.hpp"
#include "http_server.hpp"
#include "json.hpp"
#include "sha256.hpp"
#include "time_spec.hpp"

namespace vigil::central {
namespace {

constexpr const char* kUsage = R"(usage: vigil-central COMMAND [OPTIONS]

Server:
  serve --config FILE [--verbose]      run the central node (HTTPS REST API + SQLite)
  check-config --config FILE           validate a central.yaml and exit

Admin (talks to a running server over the operator API):
  agents                               list agents
  events [--agent ID] [--type process|network|file|detection|action|status]
         [--since T] [--until T] [--text S] [--limit N]
                                       T: RFC 3339, ns since epoch, or 30s/10m/2h/7d ago
  task create --agent ID TYPE [KEY=VALUE...] [--args JSON] [--timeout S]
  task show ID [--wait S]              --wait: poll until the task is final (exit 1 if not)
  task list [--agent ID] [--limit N]
  file get TASK_ID OUT                 download the file uploaded for a task
  stats                                stored events, batches, agents, tasks

Connection (flag, else environment, else the --config file):
  --server URL    VIGIL_CENTRAL_URL     e.g. https://127.0.0.1:8443
  --ca FILE       VIGIL_CENTRAL_CA      CA that signed the server certificate
  --token T       VIGIL_CENTRAL_TOKEN   operator bearer token
  --cert FILE     VIGIL_CENTRAL_CERT    client certificate (PEM) if the server requires one
  --key FILE      VIGIL_CENTRAL_KEY     its private key
  --config FILE   VIGIL_CENTRAL_CONFIG  central.yaml to take defaults from
Output: human-readable tables, or the API's JSON with --json.
)";

class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> opts;
    std::set<std::string> flags;

    std::optional<std::string> opt(const std::string& name) const {
        auto it = opts.find(name);
        return it == opts.end() ? std::nullopt : std::optional(it->second);
    }
    bool flag(const std::string& name) const { return flags.count(name) > 0; }
};

Args parse_args(int argc, char** argv, int first) {
    static const std::set<std::string> kFlags = {"json", "verbose", "help"};
    static const std::set<std::string> kValued = {"server", "ca",    "token", "cert",    "key",
                                                  "config", "agent", "type",  "since",   "until",
                                                  "text",   "limit", "args",  "timeout", "wait"};
    Args a;
    for (int i = first; i < argc; ++i) {
        std::string s = argv[i];
        if (s.size() > 2 && s.compare(0, 2, "--") == 0) {
            std::string name = s.substr(2);
            std::optional<std::string> value;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            if (kFlags.count(name)) {
                a.flags.insert(name);
            } else if (kValued.count(name)) {
                if (!value) {
                    if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
                    value = argv[++i];
                }
                a.opts[name] = *value;
            } else {
                throw UsageError("unknown option --" + name);
            }
        } else if (s == "-h") {
            a.flags.insert("help");
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

// Numbers from flags, with a usage error that names the flag.
double number_flag(const Args& a, const std::string& name, double fallback) {
    auto v = a.opt(name);
    if (!v) return fallback;
    try {
        size_t used = 0;
        double d = std::stod(*v, &used);
        if (used == v->size() && d >= 0) return d;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " must be a non-negative number, got " + *v);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

ClientOptions client_options(const Args& a) {
    ClientOptions o;
    std::string config_path = a.opt("config").value_or(env("VIGIL_CENTRAL_CONFIG"));
    if (!config_path.empty()) {
        CentralConfig c = load_config(config_path);
        o.url = c.cli.url;
        o.ca = c.cli.ca;
        o.certificate = c.cli.certificate;
        o.private_key = c.cli.private_key;
        o.token = c.cli.token;
    }
    auto pick = [&](const char* flag, const char* var, std::string& target) {
        if (auto v = a.opt(flag)) {
            target = *v;
        } else if (auto e = env(var); !e.empty()) {
            target = e;
        }
    };
    pick("server", "VIGIL_CENTRAL_URL", o.url);
    pick("ca", "VIGIL_CENTRAL_CA", o.ca);
    pick("token", "VIGIL_CENTRAL_TOKEN", o.token);
    pick("cert", "VIGIL_CENTRAL_CERT", o.certificate);
    pick("key", "VIGIL_CENTRAL_KEY", o.private_key);
    if (o.url.empty())
        throw UsageError("no server: pass --server URL, set VIGIL_CENTRAL_URL, or pass --config FILE");
    return o;
}

// Parses a reply body; throws with the server's reason on HTTP errors.
rapidjson::Document expect_json(const HttpReply& reply, int expected_class = 2) {
    rapidjson::Document doc;
    auto err = json::parse(doc, reply.body);
    if (reply.status / 100 != expected_class) {
        std::string reason = !err && doc.IsObject() ? json::string_or(doc, "error", reply.body) : reply.body;
        throw std::runtime_error(reason + " (HTTP " + std::to_string(reply.status) + ")");
    }
    if (err) throw std::runtime_error("server sent invalid JSON: " + *err);
    return doc;
}

void print_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer b;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(b);
    w.SetIndent(' ', 2);
    v.Accept(w);
    std::cout << b.GetString() << "\n";
}

std::string format_time(int64_t ns) {
    if (ns <= 0) return "-";
    time_t secs = static_cast<time_t>(ns / 1000000000);
    struct tm tm {};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>((ns / 1000000) % 1000));
    return buf;
}

std::string format_age(int64_t ns) {
    if (ns <= 0) return "never";
    int64_t s = (now_ns() - ns) / 1000000000;
    if (s < 0) s = 0;
    if (s < 120) return std::to_string(s) + "s ago";
    if (s < 7200) return std::to_string(s / 60) + "m ago";
    if (s < 172800) return std::to_string(s / 3600) + "h ago";
    return std::to_string(s / 86400) + "d ago";
}

// Prints rows as aligned columns; the last column is not padded.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(header.size());
    for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    auto line = [&](const std::vector<std::string>& r) {
        std::string out;
        for (size_t i = 0; i < r.size(); ++i) {
            out += r[i];
            if (i + 1 < r.size()) out += std::string(width[i] - r[i].size() + 2, ' ');
        }
        std::cout << out << "\n";
    };
    line(header);
    for (const auto& r : rows) line(r);
}

// Accessors that tolerate a reply without the expected member (RapidJSON's operator[] would not).
const rapidjson::Value& array_at(const rapidjson::Value& v, const char* key) {
    const auto* m = json::member(v, key);
    if (!m || !m->IsArray())
        throw std::runtime_error(std::string("server reply lacks the array \"") + key + "\"");
    return *m;
}
int64_t i64_at(const rapidjson::Value& v, const char* key) {
    const auto* m = json::member(v, key);
    return m && m->IsInt64() ? m->GetInt64() : 0;
}
std::string json_at(const rapidjson::Value& v, const char* key) {
    const auto* m = json::member(v, key);
    return m && !m->IsNull() ? json::to_string(*m) : "";
}

std::string str_at(const rapidjson::Value& v, std::initializer_list<const char*> path) {
    const rapidjson::Value* cur = &v;
    for (const char* key : path) {
        cur = json::member(*cur, key);
        if (!cur) return "";
    }
    if (cur->IsString()) return cur->GetString();
    if (cur->IsNumber() || cur->IsBool()) return json::to_string(*cur);
    return "";
}

std::string join_array(const rapidjson::Value* v) {
    if (!v || !v->IsArray()) return "";
    std::string out;
    for (const auto& e : v->GetArray()) {
        if (!out.empty()) out += ",";
        out += e.IsString() ? e.GetString() : json::to_string(e);
    }
    return out;
}

std::string truncate(std::string s, size_t max) {
    for (auto& c : s)
        if (c == '\n' || c == '\t') c = ' ';
    if (s.size() > max) s = s.substr(0, max - 3) + "...";
    return s;
}

std::string endpoint(const rapidjson::Value& ev, const char* key) {
    std::string ip = str_at(ev, {key, "ip"});
    std::string port = str_at(ev, {key, "port"});
    if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
    return ip + (port.empty() ? "" : ":" + port);
}

// One-line summary of an OCSF event for the table view.
std::string summarize(const std::string& type, const rapidjson::Value& ev) {
    std::string activity = str_at(ev, {"activity_name"});
    std::string s;
    if (type == "process") {
        s = activity + " pid=" + str_at(ev, {"process", "pid"}) + " " + str_at(ev, {"process", "cmd_line"});
        if (str_at(ev, {"process", "cmd_line"}).empty()) s += str_at(ev, {"process", "file", "path"});
    } else if (type == "network") {
        s = activity + " " + endpoint(ev, "src_endpoint") + " -> " + endpoint(ev, "dst_endpoint") + " " +
            str_at(ev, {"connection_info", "protocol_name"}) + " " +
            str_at(ev, {"actor", "process", "file", "path"});
    } else if (type == "file") {
        s = activity + " " + str_at(ev, {"file", "path"}) + " by " +
            str_at(ev, {"actor", "process", "file", "path"});
    } else if (type == "detection") {
        s = str_at(ev, {"finding_info", "title"}) + " [" + str_at(ev, {"severity"}) + "]";
    } else {
        s = str_at(ev, {"class_name"}) + " " + activity + " " + str_at(ev, {"message"});
    }
    return truncate(s, 140);
}

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

void print_task(const rapidjson::Value& t) {
    std::cout << "id:        " << str_at(t, {"id"}) << "\n"
              << "agent:     " << str_at(t, {"agent_id"}) << "\n"
              << "type:      " << str_at(t, {"type"}) << "\n"
              << "args:      " << json_at(t, "args") << "\n"
              << "state:     " << str_at(t, {"state"}) << "\n"
              << "created:   " << format_time(i64_at(t, "created_ns")) << "\n"
              << "delivered: " << format_time(i64_at(t, "delivered_ns")) << " ("
              << i64_at(t, "delivery_count") << " times)\n"
              << "completed: " << format_time(i64_at(t, "completed_ns")) << "\n";
    if (auto r = json_at(t, "result"); !r.empty()) std::cout << "result:    " << r << "\n";
    if (auto e = str_at(t, {"error"}); !e.empty()) std::cout << "error:     " << e << "\n";
    if (!str_at(t, {"file", "sha256"}).empty())
        std::cout << "file:      " << str_at(t, {"file", "size"}) << " bytes, sha256 "
                  << str_at(t, {"file", "sha256"}) << "\n";
}

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

int cmd_task(CentralClient& client, const Args& a) {
    if (a.positional.size() < 2) throw UsageError("task needs create, show or list");
    const std::string& verb = a.positional[1];
    if (verb == "create") {
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
        std::string body = "{\"agent_id\":" + json::quote(*agent) +
                           ",\"type\":" + json::quote(a.positional[2]) + ",\"args\":" + json::to_string(args);
        if (a.opt("timeout"))
            body += ",\"timeout_s\":" + std::to_string(static_cast<int64_t>(number_flag(a, "timeout", 0)));
        body += "}";
        auto doc = expect_json(client.request("POST", "/api/v1/tasks", body));
        if (a.flag("json")) return print_json(doc), 0;
        std::cout << str_at(doc, {"id"}) << "\n";
        return 0;
    }
    if (verb == "show") {
        if (a.positional.size() < 3) throw UsageError("task show needs a task ID");
        std::string path = "/api/v1/tasks/" + url_encode(a.positional[2]);
        double wait_s = number_flag(a, "wait", 0);
        auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(wait_s * 1000));
        for (;;) {
            auto doc = expect_json(client.request("GET", path));
            std::string state = str_at(doc, {"state"});
            bool final = state == "done" || state == "error" || state == "expired";
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
    if (verb == "list") {
        std::string q = "?limit=" + url_encode(a.opt("limit").value_or("100"));
        if (auto agent = a.opt("agent")) q += "&agent=" + url_encode(*agent);
        auto doc = expect_json(client.request("GET", "/api/v1/tasks" + q));
        if (a.flag("json")) return print_json(doc), 0;
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : array_at(doc, "tasks").GetArray()) {
            std::string outcome = !str_at(t, {"error"}).empty() ? str_at(t, {"error"}) : json_at(t, "result");
            rows.push_back({str_at(t, {"id"}), str_at(t, {"agent_id"}).substr(0, 8), str_at(t, {"type"}),
                            str_at(t, {"state"}), format_time(i64_at(t, "created_ns")),
                            truncate(outcome, 80)});
        }
        print_table({"ID", "AGENT", "TYPE", "STATE", "CREATED", "RESULT"}, rows);
        return 0;
    }
    throw UsageError("unknown task command " + verb);
}

int cmd_file(CentralClient& client, const Args& a) {
    if (a.positional.size() != 4 || a.positional[1] != "get") throw UsageError("usage: file get TASK_ID OUT");
    const std::string& out_path = a.positional[3];
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
    // Verify what reached the disk against what the agent announced.
    Sha256 h;
    std::ifstream in(tmp, std::ios::binary);
    char buf[65536];
    uint64_t size = 0;
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        h.update(buf, static_cast<size_t>(in.gcount()));
        size += static_cast<uint64_t>(in.gcount());
    }
    std::string digest = h.hex_digest();
    if (!reply.sha256_header.empty() && digest != reply.sha256_header) {
        std::filesystem::remove(tmp);
        throw std::runtime_error("downloaded file has sha256 " + digest + ", server says " +
                                 reply.sha256_header);
    }
    std::filesystem::rename(tmp, out_path);
    if (a.flag("json")) {
        std::cout << "{\"path\":" << json::quote(out_path) << ",\"size\":" << size << ",\"sha256\":\""
                  << digest << "\"}\n";
    } else {
        std::cout << "wrote " << size << " bytes to " << out_path << " (sha256 " << digest << ")\n";
    }
    return 0;
}

int cmd_stats(CentralClient& client, const Args& a) {
    auto doc = expect_json(client.request("GET", "/api/v1/stats"));
    if (a.flag("json")) return print_json(doc), 0;
    if (!doc.IsObject()) throw std::runtime_error("server reply is not an object");
    const rapidjson::Value& stats = doc;  // const iteration: no C++20 reversed-operator ambiguity
    for (const auto& m : stats.GetObject())
        std::cout << m.name.GetString() << ": " << json::to_string(m.value) << "\n";
    return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
    try {
        Args a = parse_args(argc, argv, 1);
        if (a.positional.empty() || a.flag("help") || a.positional[0] == "help") {
            std::cout << kUsage;
            return a.positional.empty() && !a.flag("help") ? 2 : 0;
        }
        const std::string& cmd = a.positional[0];
        if (cmd == "serve") {
            auto path = a.opt("config");
            if (!path) throw UsageError("serve needs --config FILE");
            CentralConfig config = load_config(*path);
            return serve(config, a.flag("verbose"));
        }
        if (cmd == "check-config") {
            auto path = a.opt("config");
            if (!path) throw UsageError("check-config needs --config FILE");
            load_config(*path);
            std::cout << *path << ": ok\n";
            return 0;
        }
        static const std::set<std::string> kClientCommands = {"agents", "events", "task", "file", "stats"};
        if (!kClientCommands.count(cmd)) throw UsageError("unknown command " + cmd);
        CentralClient client(client_options(a));
        if (cmd == "agents") return cmd_agents(client, a);
        if (cmd == "events") return cmd_events(client, a);
        if (cmd == "task") return cmd_task(client, a);
        if (cmd == "file") return cmd_file(client, a);
        return cmd_stats(client, a);
    } catch (const UsageError& e) {
        std::cerr << "vigil-central: " << e.what() << "\n(see vigil-central --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "vigil-central: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace vigil::central
