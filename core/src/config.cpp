#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "json_util.hpp"
#include "log.hpp"
#include "vigil/common/trusted_path.hpp"
#include "vigil/common/yaml_limits.hpp"
#include "metrics_http.hpp"

namespace vigil::core {

std::string ConfigError::str() const {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    s += ": ";
    if (!key.empty()) s += key + ": ";
    return s + reason;
}

const PluginConfig* Config::plugin(const std::string& name) const {
    for (const auto& p : plugins)
        if (p.name == name) return &p;
    return nullptr;
}

namespace {

// vigil.yaml is small; a huge one is a mistake or an attack on the parser.
constexpr size_t kMaxConfigBytes = 4 * 1024 * 1024;

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::string escape_pointer_token(const std::string& t) {
    std::string out;
    for (char c : t) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out.push_back(c);
    }
    return out;
}

// YAML 1.2 core-schema resolution of a plain scalar into a JSON value.
void scalar_to_json(const YAML::Node& n, rapidjson::Value& out, rapidjson::Document::AllocatorType& a) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") {  // quoted or explicit string
        out.SetString(s.c_str(), rapidjson::SizeType(s.size()), a);
        return;
    }
    if (s == "true" || s == "True" || s == "TRUE") return void(out.SetBool(true));
    if (s == "false" || s == "False" || s == "FALSE") return void(out.SetBool(false));
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return void(out.SetNull());
    static const std::regex int_re(R"(^[-+]?[0-9]+$)");
    static const std::regex float_re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
    if (std::regex_match(s, int_re)) {
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(s.c_str(), &end, 10);
        if (errno == 0) return void(out.SetInt64(v));
    }
    if (std::regex_match(s, float_re)) return void(out.SetDouble(std::strtod(s.c_str(), nullptr)));
    out.SetString(s.c_str(), rapidjson::SizeType(s.size()), a);
}

void node_to_json(const YAML::Node& n, rapidjson::Value& out, rapidjson::Document::AllocatorType& a,
                  const std::string& pointer, std::map<std::string, int>& lines,
                  std::vector<ConfigError>& errors, const std::string& file, const std::string& key) {
    lines[pointer] = line_of(n);
    switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        out.SetNull();
        break;
    case YAML::NodeType::Scalar:
        scalar_to_json(n, out, a);
        break;
    case YAML::NodeType::Sequence: {
        out.SetArray();
        size_t i = 0;
        for (const auto& item : n) {
            rapidjson::Value v;
            node_to_json(item, v, a, pointer + "/" + std::to_string(i), lines, errors, file,
                         key + "[" + std::to_string(i) + "]");
            out.PushBack(v, a);
            ++i;
        }
        break;
    }
    case YAML::NodeType::Map: {
        out.SetObject();
        for (const auto& kv : n) {
            if (!kv.first.IsScalar()) {
                errors.push_back({file, line_of(kv.first), key, "mapping keys must be plain strings"});
                continue;
            }
            std::string k = kv.first.Scalar();
            if (out.HasMember(k.c_str())) {
                errors.push_back({file, line_of(kv.first), key.empty() ? k : key + "." + k, "duplicate key"});
                continue;
            }
            rapidjson::Value v;
            node_to_json(kv.second, v, a, pointer + "/" + escape_pointer_token(k), lines, errors, file,
                         key.empty() ? k : key + "." + k);
            out.AddMember(rapidjson::Value(k.c_str(), rapidjson::SizeType(k.size()), a), v, a);
        }
        break;
    }
    }
}

bool read_uint(const YAML::Node& v, uint32_t& out) {
    try {
        long long x = v.as<long long>();
        if (x < 0 || x > 0xffffffffLL) return false;
        out = uint32_t(x);
        return true;
    } catch (const YAML::Exception&) {
        return false;
    }
}

void parse_agent_metrics(const YAML::Node& v, const std::string& file, AgentConfig& agent,
                         std::vector<ConfigError>& errors) {
    if (!v.IsMap()) {
        errors.push_back({file, line_of(v), "agent.metrics", "must be a mapping (listen, textfile, textfile_interval_s)"});
        return;
    }
    for (const auto& kv : v) {
        const std::string k = kv.first.as<std::string>("");
        const std::string key = "agent.metrics." + k;
        const YAML::Node& x = kv.second;
        if (k == "listen" || k == "textfile") {
            std::string& out = k == "listen" ? agent.metrics_listen : agent.metrics_textfile;
            if (x.IsNull()) out.clear();
            else if (x.IsScalar()) out = x.Scalar();
            else errors.push_back({file, line_of(x), key, "must be a string"});
        } else if (k == "textfile_interval_s") {
            if (!read_uint(x, agent.metrics_textfile_interval_s) || agent.metrics_textfile_interval_s < 1 ||
                agent.metrics_textfile_interval_s > 3600)
                errors.push_back({file, line_of(x), key, "must be an integer from 1 to 3600"});
        } else {
            errors.push_back({file, line_of(kv.first), key, "unknown setting (known: listen, textfile, textfile_interval_s)"});
        }
    }
    if (!agent.metrics_listen.empty()) {
        std::string host;
        uint16_t port = 0;
        if (!split_host_port(agent.metrics_listen, host, port) || !is_loopback_literal(host))
            errors.push_back({file, line_of(v), "agent.metrics.listen",
                              "'" + agent.metrics_listen +
                                  "' must be a loopback address and port, e.g. 127.0.0.1:9101 (the listener has no "
                                  "authentication)"});
    }
    const std::string& t = agent.metrics_textfile;
    if (!t.empty() && (t[0] != '/' || t.size() < 6 || t.compare(t.size() - 5, 5, ".prom") != 0))
        errors.push_back({file, line_of(v), "agent.metrics.textfile",
                          "must be an absolute path ending in .prom (node_exporter reads only those)"});
}

// The settings of logging, the watchdog and metrics; false when `k` is none of them.
bool parse_agent_operation(const std::string& k, const YAML::Node& v, const std::string& file, AgentConfig& agent,
                           std::vector<ConfigError>& errors) {
    const std::string key = "agent." + k;
    if (k == "log_format") {
        agent.log_format = v.IsScalar() ? v.Scalar() : "";
        if (agent.log_format != "text" && agent.log_format != "json")
            errors.push_back({file, line_of(v), key, "must be text or json"});
    } else if (k == "watchdog_stall_s") {
        if (!read_uint(v, agent.watchdog_stall_s) || agent.watchdog_stall_s < 1 || agent.watchdog_stall_s > 600)
            errors.push_back({file, line_of(v), key, "must be an integer from 1 to 600"});
    } else if (k == "metrics") {
        parse_agent_metrics(v, file, agent, errors);
    } else {
        return false;
    }
    return true;
}

void parse_agent(const YAML::Node& node, const std::string& file, AgentConfig& agent,
                 std::vector<ConfigError>& errors) {
    if (!node) return;
    if (!node.IsMap()) {
        errors.push_back({file, line_of(node), "agent", "must be a mapping"});
        return;
    }
    for (const auto& kv : node) {
        const std::string k = kv.first.as<std::string>("");
        const YAML::Node& v = kv.second;
        const std::string key = "agent." + k;
        auto need_string = [&](std::string& out) {
            if (!v.IsScalar()) {
                errors.push_back({file, line_of(v), key, "must be a string"});
                return;
            }
            out = v.Scalar();
        };
        if (k == "plugin_dir") {
            agent.plugin_dirs.clear();
            if (v.IsScalar()) {
                agent.plugin_dirs.push_back(v.Scalar());
            } else if (v.IsSequence()) {
                for (const auto& d : v) {
                    if (!d.IsScalar()) errors.push_back({file, line_of(d), key, "entries must be directory paths"});
                    else agent.plugin_dirs.push_back(d.Scalar());
                }
            } else {
                errors.push_back({file, line_of(v), key, "must be a directory path or a list of them"});
            }
            if (agent.plugin_dirs.empty()) errors.push_back({file, line_of(v), key, "needs at least one directory"});
        } else if (k == "state_dir") {
            need_string(agent.state_dir);
        } else if (k == "control_socket") {
            need_string(agent.control_socket);
        } else if (k == "proxy") {
            if (v.IsNull()) agent.proxy.clear();
            else need_string(agent.proxy);
            if (auto err = validate_proxy_url(agent.proxy); !err.empty())
                errors.push_back({file, line_of(v), key, err});
        } else if (k == "log_level") {
            need_string(agent.log_level);
            static const char* ok[] = {"trace", "debug", "info", "warn", "warning", "error"};
            bool found = false;
            for (auto* o : ok) found = found || agent.log_level == o;
            if (!found)
                errors.push_back({file, line_of(v), key,
                                  "unknown level '" + agent.log_level + "' (trace, debug, info, warn, error)"});
        } else if (k == "stop_timeout_s") {
            if (!read_uint(v, agent.stop_timeout_s) || agent.stop_timeout_s < 1 || agent.stop_timeout_s > 300)
                errors.push_back({file, line_of(v), key, "must be an integer from 1 to 300"});
        } else if (k == "queue_capacity") {
            if (!read_uint(v, agent.queue_capacity) || agent.queue_capacity < 16 || agent.queue_capacity > (1u << 24))
                errors.push_back({file, line_of(v), key, "must be an integer from 16 to 16777216"});
        } else if (!parse_agent_operation(k, v, file, agent, errors)) {
            errors.push_back({file, line_of(kv.first), key,
                              "unknown setting (known: plugin_dir, state_dir, control_socket, proxy, log_level, "
                              "log_format, stop_timeout_s, queue_capacity, watchdog_stall_s, metrics)"});
        }
    }
    for (const auto* p : {&agent.state_dir, &agent.control_socket})
        if (p->empty() || (*p)[0] != '/')
            errors.push_back({file, line_of(node), p == &agent.state_dir ? "agent.state_dir" : "agent.control_socket",
                              "must be an absolute path"});
    for (const auto& d : agent.plugin_dirs)
        if (d.empty() || d[0] != '/')
            errors.push_back({file, line_of(node), "agent.plugin_dir", "must be absolute: '" + d + "'"});
}

std::string agent_json(const AgentConfig& a) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("plugin_dir");
    w.StartArray();
    for (const auto& d : a.plugin_dirs) write_str(w, d);
    w.EndArray();
    write_kv(w, "state_dir", a.state_dir);
    write_kv(w, "control_socket", a.control_socket);
    write_kv(w, "proxy", a.proxy);
    write_kv(w, "log_level", a.log_level);
    w.Key("stop_timeout_s");
    w.Uint(a.stop_timeout_s);
    w.Key("queue_capacity");
    w.Uint(a.queue_capacity);
    write_kv(w, "log_format", a.log_format);
    w.EndObject();
    return sb.GetString();
}

}  // namespace

std::string validate_proxy_url(const std::string& url) {
    if (url.empty()) return {};
    static const std::regex re(R"(^http://(([^:@/\s]+)(:([^@/\s]*))?@)?([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})/?$)");
    std::smatch m;
    if (!std::regex_match(url, m, re)) return "'" + url + "' is not http://[user:pass@]host:port";
    int port = std::stoi(m[6].str());
    if (port < 1 || port > 65535) return "proxy port " + m[6].str() + " is out of range";
    return {};
}

namespace {

// One `plugins.<name>` section: `enabled` plus the settings as JSON (with the
// line of every value); nullopt after recording what is wrong.
std::optional<PluginConfig> parse_plugin_section(const YAML::detail::iterator_value& kv, const std::string& file,
                                                 std::vector<ConfigError>& errors) {
    static const std::regex name_re("^[a-z][a-z0-9_]{0,62}$");
    PluginConfig pc;
    pc.name = kv.first.as<std::string>("");
    pc.line = line_of(kv.first);
    const std::string key = "plugins." + pc.name;
    if (!std::regex_match(pc.name, name_re)) {
        errors.push_back({file, pc.line, key, "plugin names are lowercase letters, digits and _"});
        return std::nullopt;
    }
    const YAML::Node& sec = kv.second;
    if (!sec.IsMap()) {
        errors.push_back({file, line_of(sec), key, "must be a mapping with at least `enabled:`"});
        return std::nullopt;
    }
    YAML::Node en = sec["enabled"];
    if (!en) {
        errors.push_back({file, pc.line, key + ".enabled", "missing (true or false)"});
        return std::nullopt;
    }
    try {
        pc.enabled = en.as<bool>();
    } catch (const YAML::Exception&) {
        errors.push_back({file, line_of(en), key + ".enabled", "must be true or false"});
        return std::nullopt;
    }
    rapidjson::Document d;
    d.SetObject();
    auto& a = d.GetAllocator();
    for (const auto& s : sec) {
        std::string sk = s.first.as<std::string>("");
        if (sk == "enabled") continue;
        rapidjson::Value v;
        node_to_json(s.second, v, a, "/" + escape_pointer_token(sk), pc.lines, errors, file, key + "." + sk);
        if (d.HasMember(sk.c_str())) {
            errors.push_back({file, line_of(s.first), key + "." + sk, "duplicate key"});
            continue;
        }
        d.AddMember(rapidjson::Value(sk.c_str(), rapidjson::SizeType(sk.size()), a), v, a);
    }
    pc.lines[""] = pc.line;
    pc.settings_json = to_json(d);
    return pc;
}

void parse_plugins(const YAML::Node& plugins, const std::string& file, Config& cfg, std::vector<ConfigError>& errors) {
    if (!plugins || plugins.IsNull()) return;
    if (!plugins.IsMap()) {
        errors.push_back({file, line_of(plugins), "plugins", "must be a mapping from plugin name to settings"});
        return;
    }
    for (const auto& kv : plugins) {
        auto pc = parse_plugin_section(kv, file, errors);
        if (!pc) continue;
        if (cfg.plugin(pc->name)) {
            errors.push_back({file, pc->line, "plugins." + pc->name, "plugin configured twice"});
            continue;
        }
        cfg.plugins.push_back(std::move(*pc));
    }
}

}  // namespace

ConfigParseResult parse_config_text(const std::string& text, const std::string& file) {
    ConfigParseResult r;
    YAML::Node root;
    try {
        if (text.size() > kMaxConfigBytes)
            throw common::YamlLimitError("larger than " + std::to_string(kMaxConfigBytes) + " bytes");
        root = YAML::Load(text);
        common::check_yaml_limits(root);
    } catch (const common::YamlLimitError& e) {
        r.errors.push_back({file, 0, "", std::string("refused: ") + e.what()});
        return r;
    } catch (const YAML::ParserException& e) {
        r.errors.push_back({file, e.mark.line + 1, "", "invalid YAML: " + e.msg});
        return r;
    } catch (const YAML::Exception& e) {
        r.errors.push_back({file, 0, "", std::string("invalid YAML: ") + e.what()});
        return r;
    }
    Config cfg;
    cfg.file = file;
    if (!root.IsMap()) {
        r.errors.push_back({file, line_of(root), "", "the file must be a mapping with `agent:` and `plugins:`"});
        return r;
    }
    for (const auto& kv : root) {
        std::string k = kv.first.as<std::string>("");
        if (k != "agent" && k != "plugins")
            r.errors.push_back({file, line_of(kv.first), k, "unknown section (expected `agent` or `plugins`)"});
    }
    parse_agent(root["agent"], file, cfg.agent, r.errors);
    cfg.agent.json = agent_json(cfg.agent);
    parse_plugins(root["plugins"], file, cfg, r.errors);
    if (r.errors.empty()) r.config = std::move(cfg);
    return r;
}

ConfigParseResult load_config_file(const std::string& path) {
    // The agent runs as root: a config anyone else could edit steers it.
    try {
        if (auto warning = common::require_trusted_path(path, "config", common::PathKind::file); !warning.empty())
            log_warn("host", warning);
    } catch (const common::UntrustedPath& e) {
        ConfigParseResult r;
        r.errors.push_back({path, 0, "", e.what()});
        return r;
    }
    std::ifstream in(path);
    if (!in) {
        ConfigParseResult r;
        r.errors.push_back({path, 0, "", std::string("cannot read: ") + std::strerror(errno)});
        return r;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_config_text(ss.str(), path);
}

}  // namespace vigil::core
