// vigild configuration: one YAML file with an `agent:` section and a
// `plugins:` mapping. Parsing keeps the YAML line of every value so errors can
// name file, line and key even after settings became JSON for a plugin.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vigil::core {

struct ConfigError {
    std::string file;
    int line = 0;     // 1-based, 0 when unknown
    std::string key;  // dotted path, e.g. "plugins.kataedr.servers"
    std::string reason;
    std::string str() const;
};

struct PluginConfig {
    std::string name;
    bool enabled = false;
    int line = 0;
    std::string settings_json = "{}";     // the section without `enabled`
    std::map<std::string, int> lines;     // JSON pointer within settings -> YAML line
};

struct AgentConfig {
    std::vector<std::string> plugin_dirs{"/usr/lib/vigil/plugins"};
    std::string state_dir = "/var/lib/vigil";
    std::string control_socket = "/run/vigil/vigild.sock";
    std::string proxy;              // http://[user:pass@]host:port or empty
    std::string log_level = "info";
    uint32_t stop_timeout_s = 10;   // bound for stopping all plugins on SIGTERM
    uint32_t queue_capacity = 65536;  // default per-subscriber telemetry queue
    std::string log_format = "text";  // text | json
    uint32_t watchdog_stall_s = 20;   // no progress this long withholds systemd watchdog pings
    std::string metrics_listen;       // loopback "host:port" for GET /metrics, empty = off
    std::string metrics_textfile;     // node_exporter textfile path (*.prom), empty = off
    uint32_t metrics_textfile_interval_s = 30;
    std::string json;               // the section as JSON, for plugins
};

struct Config {
    std::string file;
    AgentConfig agent;
    std::vector<PluginConfig> plugins;  // file order
    const PluginConfig* plugin(const std::string& name) const;
};

struct ConfigParseResult {
    std::optional<Config> config;
    std::vector<ConfigError> errors;
};

ConfigParseResult parse_config_text(const std::string& text, const std::string& file_name);
ConfigParseResult load_config_file(const std::string& path);

// Parses an agent.proxy URL; returns an error message or empty.
std::string validate_proxy_url(const std::string& url);

}  // namespace vigil::core
