#include "command_line.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <regex>

namespace vigil::ctl {

namespace {

std::string quote(const std::string& s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.c_str(), rapidjson::SizeType(s.size()));
    return sb.GetString();
}

// Builds {"args":[positionals], key: value, ...} from the words after the verb.
bool build_args(const std::vector<std::string>& words, std::string& out, std::string& error) {
    std::vector<std::string> positional;
    std::map<std::string, std::vector<std::string>> named;
    std::vector<std::string> order;
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.size() > 2 && w.rfind("--", 0) == 0) {
            std::string key = w.substr(2), value;
            auto eq = key.find('=');
            if (eq != std::string::npos) {
                value = key.substr(eq + 1);
                key = key.substr(0, eq);
            } else if (i + 1 < words.size() && words[i + 1].rfind("--", 0) != 0) {
                value = words[++i];
            } else {
                value = "true";  // a bare flag
            }
            static const std::regex key_re("^[A-Za-z][A-Za-z0-9_-]*$");
            if (!std::regex_match(key, key_re)) {
                error = "invalid option name '--" + key + "'";
                return false;
            }
            std::replace(key.begin(), key.end(), '-', '_');
            if (!named.count(key)) order.push_back(key);
            named[key].push_back(value);
        } else {
            positional.push_back(w);
        }
    }
    out = "{";
    bool first = true;
    if (!positional.empty()) {
        out += "\"args\":[";
        for (size_t i = 0; i < positional.size(); ++i) out += (i ? "," : "") + quote(positional[i]);
        out += "]";
        first = false;
    }
    for (const auto& k : order) {
        const auto& vals = named[k];
        out += (first ? "" : ",") + quote(k) + ":";
        first = false;
        if (vals.size() == 1) {
            out += value_to_json(vals[0]);
        } else {
            out += "[";
            for (size_t i = 0; i < vals.size(); ++i) out += (i ? "," : "") + value_to_json(vals[i]);
            out += "]";
        }
    }
    out += "}";
    return true;
}

std::string absolute(const std::string& p) {
    if (!p.empty() && p[0] == '/') return p;
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf)) return std::string(buf) + "/" + p;
    return p;
}

}  // namespace

std::string value_to_json(const std::string& v) {
    rapidjson::Document d;
    d.Parse(v.c_str(), v.size());
    if (!d.HasParseError() && (d.IsNumber() || d.IsBool() || d.IsArray() || d.IsObject())) return v;
    return quote(v);
}

std::string usage_text() {
    return "usage: vigilctl [--socket PATH] [--json] [--timeout SECONDS] COMMAND\n"
           "\n"
           "  status                         daemon version, ABI, uptime, plugins and their states\n"
           "  plugins                        name, version, ABI, state, messages in/out/dropped, last error\n"
           "  metrics                        Prometheus text exposition of the agent (docs/metrics.md)\n"
           "  events [--type T]...           live bus events as JSON lines (Ctrl-C to stop)\n"
           "  config check FILE              validate a configuration file\n"
           "  quarantine list | restore ID [--path P] [--overwrite] [--force] | delete ID\n"
           "  scan ioc FILE... [--path P]... run an IOC scan (ioc_scanner.scan)\n"
           "  scan file PATH...              scan files on demand (file_threat.scan)\n"
           "  isolation on|off|status [...]  network isolation (isolation.*)\n"
           "  call NAME [JSON]               send any command with JSON arguments\n"
           "  PLUGIN VERB [ARG...] [--key value]...\n"
           "                                 send command PLUGIN.VERB with {\"args\":[...],\"key\":value}\n"
           "\n"
           "The socket defaults to /run/vigil/vigild.sock (or $VIGIL_SOCKET). Root only.\n";
}

std::string env_socket_problem(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::strerror(errno);
    if (!S_ISSOCK(st.st_mode)) return "not a socket";
    if (st.st_uid != 0) return "owned by uid " + std::to_string(st.st_uid) + ", not root";
    return "";
}

namespace {

bool parse_timeout(const std::string& text, Invocation& inv) {
    char* end = nullptr;
    inv.timeout_s = std::strtod(text.c_str(), &end);
    if (!end || *end || inv.timeout_s <= 0 || inv.timeout_s > 86400) {
        inv.error = "--timeout needs a number of seconds (0 < s <= 86400)";
        return false;
    }
    return true;
}

// Global options come first; everything after the command belongs to it, but
// --json, --timeout and --socket are still accepted anywhere. Fills `rest`
// with the command's words; false when inv is finished (error or help).
bool split_options(const std::vector<std::string>& argv, Invocation& inv, std::vector<std::string>& rest) {
    size_t i = 0;
    for (; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "--socket" || a == "--timeout") {
            if (i + 1 >= argv.size()) {
                inv.error = a + " needs a value";
                return false;
            }
            if (a == "--socket") inv.socket = argv[++i];
            else if (!parse_timeout(argv[++i], inv)) return false;
        } else if (a == "--json") {
            inv.json = true;
        } else if (a == "--help" || a == "-h" || a == "help") {
            inv.help = true;
            return false;
        } else if (a.rfind("--", 0) == 0) {
            inv.error = "unknown option '" + a + "'";
            return false;
        } else {
            break;
        }
    }
    for (; i < argv.size(); ++i) {
        if (argv[i] == "--json") inv.json = true;
        else if (argv[i] == "--timeout" && i + 1 < argv.size()) {
            if (!parse_timeout(argv[++i], inv)) return false;
        } else if (argv[i] == "--socket" && i + 1 < argv.size()) inv.socket = argv[++i];
        else rest.push_back(argv[i]);
    }
    if (rest.empty()) {
        inv.error = "no command given";
        return false;
    }
    return true;
}

std::vector<std::string> words_from(const std::vector<std::string>& rest, size_t from) {
    return std::vector<std::string>(rest.begin() + long(std::min(from, rest.size())), rest.end());
}

void set_call(Invocation& inv, const std::string& name, const std::vector<std::string>& words) {
    inv.kind = "call";
    inv.command = name;
    build_args(words, inv.args_json, inv.error);
}

void parse_events(const std::vector<std::string>& rest, Invocation& inv) {
    inv.kind = "events";
    for (size_t k = 1; k < rest.size(); ++k) {
        if ((rest[k] == "--type" || rest[k] == "-t") && k + 1 < rest.size()) {
            inv.event_types.push_back(rest[++k]);
        } else if (rest[k].rfind("--type=", 0) == 0) {
            inv.event_types.push_back(rest[k].substr(7));
        } else {
            inv.error = "events: unexpected '" + rest[k] + "' (use --type T)";
            return;
        }
    }
}

void parse_config(const std::vector<std::string>& rest, Invocation& inv) {
    if (rest.size() != 3 || rest[1] != "check") {
        inv.error = "usage: vigilctl config check FILE";
        return;
    }
    inv.kind = "config_check";
    inv.config_path = absolute(rest[2]);
}

void parse_call(const std::vector<std::string>& rest, Invocation& inv) {
    if (rest.size() < 2 || rest.size() > 3) {
        inv.error = "usage: vigilctl call NAME [JSON]";
        return;
    }
    inv.kind = "call";
    inv.command = rest[1];
    inv.args_json = rest.size() == 3 ? rest[2] : "{}";
    rapidjson::Document d;
    d.Parse(inv.args_json.c_str());
    if (d.HasParseError() || !d.IsObject()) inv.error = "call: arguments must be a JSON object";
}

void parse_quarantine(const std::vector<std::string>& rest, Invocation& inv) {
    static const std::map<std::string, std::string> verbs = {
        {"list", "agent.quarantine_list"}, {"restore", "agent.quarantine_restore"}, {"delete", "agent.quarantine_delete"}};
    if (rest.size() < 2 || !verbs.count(rest[1])) {
        inv.error = "usage: vigilctl quarantine list | restore ID [--path P] [--overwrite] [--force] | delete ID";
        return;
    }
    if (rest[1] != "list" && rest.size() < 3) {
        inv.error = "quarantine " + rest[1] + " needs an entry ID (see `vigilctl quarantine list`)";
        return;
    }
    set_call(inv, verbs.at(rest[1]), words_from(rest, 2));
}

void parse_scan(const std::vector<std::string>& rest, Invocation& inv) {
    if (rest.size() < 3 || (rest[1] != "ioc" && rest[1] != "file")) {
        inv.error = "usage: vigilctl scan ioc FILE... [--path P]... | scan file PATH...";
        return;
    }
    std::vector<std::string> words = words_from(rest, 2);
    for (auto& w : words)
        if (w.rfind("--", 0) != 0 && !w.empty() && w[0] != '/' && w.find('=') == std::string::npos) {
            // positional file names are made absolute: the daemon has another cwd
            bool is_value = &w != &words[0] && (&w)[-1].rfind("--", 0) == 0;
            if (!is_value) w = absolute(w);
        }
    set_call(inv, rest[1] == "ioc" ? "ioc_scanner.scan" : "file_threat.scan", words);
}

// `PLUGIN VERB [ARGS]`: the generic form, a call of PLUGIN.VERB.
void parse_generic(const std::vector<std::string>& rest, Invocation& inv) {
    const std::string& cmd = rest[0];
    if (rest.size() < 2) {
        inv.error = "unknown command '" + cmd + "' (see vigilctl --help)";
        return;
    }
    static const std::regex word_re("^[a-z][a-z0-9_]*$");
    if (!std::regex_match(cmd, word_re) || !std::regex_match(rest[1], word_re)) {
        inv.error = "unknown command '" + cmd + " " + rest[1] + "' (see vigilctl --help)";
        return;
    }
    set_call(inv, cmd + "." + rest[1], words_from(rest, 2));
}

}  // namespace

Invocation parse_command_line(const std::vector<std::string>& argv) {
    Invocation inv;
    if (const char* s = std::getenv("VIGIL_SOCKET"); s && *s) {
        if (const std::string why = env_socket_problem(s); why.empty()) {
            inv.socket = s;
            inv.socket_from_env = true;
        } else {
            inv.warnings.push_back("ignoring VIGIL_SOCKET=" + std::string(s) + ": " + why + "; using " + inv.socket);
        }
    }
    std::vector<std::string> rest;
    if (!split_options(argv, inv, rest)) return inv;
    const std::string& cmd = rest[0];
    if (cmd == "status" || cmd == "plugins" || cmd == "metrics") {
        if (rest.size() > 1) inv.error = cmd + " takes no arguments";
        inv.kind = cmd;
    } else if (cmd == "events") {
        parse_events(rest, inv);
    } else if (cmd == "config") {
        parse_config(rest, inv);
    } else if (cmd == "call") {
        parse_call(rest, inv);
    } else if (cmd == "quarantine") {
        parse_quarantine(rest, inv);
    } else if (cmd == "scan") {
        parse_scan(rest, inv);
    } else {
        parse_generic(rest, inv);
    }
    return inv;
}

}  // namespace vigil::ctl
