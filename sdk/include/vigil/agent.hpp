// Vigil C++ SDK: what a plugin may know about the agent around it.
//
// 1. Typed agent settings, so no plugin parses the `agent:` JSON itself:
//
//      vigil::AgentSettings a = vigil::agent_settings(host);
//      if (a.proxy) connect_via(a.proxy->host, a.proxy->port);
//
//    From the host's agent_settings service (ABI 1.3); on an older host the
//    SDK reads agent_config_json() with the same rules.
//
// 2. The connector-contact contract: when did the agent last talk to a
//    central node? The connector plugin (kataedr) keeps, at the top level of
//    its status JSON (host->set_status_json), the object
//
//      "connector": { "last_contact_ns": <CLOCK_REALTIME ns of the last
//                     successful exchange with a central node; 0 = never>,
//                     "last_failure_ns": <CLOCK_REALTIME ns of the last failed
//                     exchange; 0 = none>, "last_failure": "<kind>: <message>",
//                     "central": "<URL of that node>",
//                     "servers": ["<every configured central-node URL>", ...] }
//
//    A connector may also answer the bus command `<connector>.check_contact`
//    (args {"timeout_ms": N}): one authenticated exchange now.
//
//    and any plugin reads it with connector_status(host[, plugin]) or
//    last_central_contact_ns(host[, plugin]). Nothing else in the
//    connector's status is a contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host.hpp"
#include "json_reader.hpp"

namespace vigil {

// An HTTP proxy for outbound connections (CONNECT tunnel).
struct ProxyUrl {
    std::string url;       // as configured
    std::string host;      // name or address, IPv6 without brackets
    uint16_t port = 0;
    std::string username;  // percent-decoded; empty when none
    std::string password;
};

namespace detail {

inline int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

inline std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(char(hi * 16 + lo));
        i += 2;
    }
    return out;
}

inline bool host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

}  // namespace detail

// Parses "http://[user:pass@]host:port[/]" (user and password percent-encoded,
// an IPv6 host in brackets). An empty text is "no proxy" (nullopt, no error);
// a malformed one is nullopt with *error set.
inline std::optional<ProxyUrl> parse_proxy_url(std::string_view text, std::string* error = nullptr) {
    auto bad = [&](const std::string& why) -> std::optional<ProxyUrl> {
        if (error) *error = "proxy '" + std::string(text) + "': " + why;
        return std::nullopt;
    };
    if (text.empty()) return std::nullopt;
    ProxyUrl p;
    p.url = std::string(text);
    std::string_view rest = text;
    if (rest.substr(0, 7) != "http://") return bad("must start with http://");
    rest.remove_prefix(7);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
        const std::string_view cred = rest.substr(0, at);
        const size_t colon = cred.find(':');
        auto user = detail::percent_decode(cred.substr(0, colon));
        auto pass = detail::percent_decode(colon == std::string_view::npos ? std::string_view{} : cred.substr(colon + 1));
        if (!user || !pass || user->empty()) return bad("bad user:password before '@'");
        p.username = *user;
        p.password = *pass;
        rest.remove_prefix(at + 1);
    }
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == rest.size()) return bad("needs host:port");
    std::string_view host = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        for (char c : host)
            if (!(detail::hex_digit(c) >= 0 || c == ':' || c == '.')) return bad("bad IPv6 address");
    } else {
        if (host.empty()) return bad("empty host");
        for (char c : host)
            if (!detail::host_char(c)) return bad("bad host name");
    }
    unsigned long n = 0;
    for (char c : port) {
        if (c < '0' || c > '9' || n > 65535) return bad("bad port");
        n = n * 10 + unsigned(c - '0');
    }
    if (port.size() > 5 || n < 1 || n > 65535) return bad("port out of range");
    p.host = std::string(host);
    p.port = uint16_t(n);
    return p;
}

struct AgentSettings {
    std::string state_dir;       // the agent's state directory (not the plugin's own)
    std::string control_socket;  // vigilctl's socket
    std::vector<std::string> plugin_dirs;
    std::string log_level;
    std::optional<ProxyUrl> proxy;  // nullopt: direct connections
};

// Reads the agent settings from the `agent:` JSON (what a pre-1.3 host offers).
// Throws std::runtime_error on text the host would never send.
inline AgentSettings parse_agent_settings(std::string_view agent_json) {
    AgentSettings a;
    const json::Value v = json::parse(agent_json.empty() ? std::string_view("{}") : agent_json);
    auto str = [&](const char* key) -> std::string {
        const json::Value* f = v.find(key);
        return f && f->is_string() ? f->as_string() : std::string();
    };
    a.state_dir = str("state_dir");
    a.control_socket = str("control_socket");
    a.log_level = str("log_level");
    if (const json::Value* d = v.find("plugin_dir")) {
        if (d->is_string()) a.plugin_dirs.push_back(d->as_string());
        for (const auto& item : d->items())
            if (item.is_string()) a.plugin_dirs.push_back(item.as_string());
    }
    std::string error;
    a.proxy = parse_proxy_url(str("proxy"), &error);
    if (!error.empty()) throw std::runtime_error("agent." + error);
    return a;
}

// The agent settings: from the host's typed service when it has one (1.3),
// else parsed from agent_config_json().
inline AgentSettings agent_settings(const Host& host) {
    const vigil_host_api* api = host.api();
    if (VIGIL_HAS_FIELD(api, vigil_host_api, agent_settings) && api->agent_settings) {
        vigil_agent_settings s{};
        s.struct_size = sizeof s;
        if (api->agent_settings(host.handle(), &s) == VIGIL_OK) {
            AgentSettings a;
            auto str = [](const char* p) { return p ? std::string(p) : std::string(); };
            a.state_dir = str(s.state_dir);
            a.control_socket = str(s.control_socket);
            a.log_level = str(s.log_level);
            for (uint32_t i = 0; s.plugin_dirs && i < s.plugin_dir_count; ++i) a.plugin_dirs.push_back(str(s.plugin_dirs[i]));
            if (s.proxy_host && *s.proxy_host) {
                a.proxy = ProxyUrl{str(s.proxy_url), str(s.proxy_host), uint16_t(s.proxy_port), str(s.proxy_username),
                                   str(s.proxy_password)};
            }
            return a;
        }
    }
    return parse_agent_settings(host.agent_config_json());
}

// ------------------------------------------------- connector-contact contract

inline constexpr const char* kConnectorStatusKey = "connector";

// What a connector publishes under "connector" (see the top of this file).
struct ConnectorStatus {
    std::string plugin;  // who published it
    int64_t last_contact_ns = 0;
    int64_t last_failure_ns = 0;  // 0 = no failure since start
    std::string last_failure;     // "<kind>: <message>"
    std::string central;
    std::vector<std::string> servers;
};

// Every connector status in a host status snapshot (the JSON of
// host_status_json), or only `plugin`'s when named. Empty when no running
// plugin publishes the contract.
inline std::vector<ConnectorStatus> connector_status(std::string_view host_status_json, std::string_view plugin = {}) {
    std::vector<ConnectorStatus> out;
    json::Value root;
    try {
        root = json::parse(host_status_json);
    } catch (const json::ParseError&) {
        return out;
    }
    const json::Value* plugins = root.find("plugins");
    if (!plugins) return out;
    for (const auto& p : plugins->items()) {
        const json::Value* name = p.find("name");
        const std::string who = name && name->is_string() ? name->as_string() : "";
        if (!plugin.empty() && who != plugin) continue;
        const json::Value* status = p.find("status");
        const json::Value* c = status ? status->find(kConnectorStatusKey) : nullptr;
        const json::Value* t = c ? c->find("last_contact_ns") : nullptr;
        if (!t || !t->is_int64()) continue;
        ConnectorStatus cs;
        cs.plugin = who;
        cs.last_contact_ns = t->as_int64();
        if (const json::Value* f = c->find("last_failure_ns"); f && f->is_int64()) cs.last_failure_ns = f->as_int64();
        if (const json::Value* f = c->find("last_failure"); f && f->is_string()) cs.last_failure = f->as_string();
        if (const json::Value* central = c->find("central"); central && central->is_string())
            cs.central = central->as_string();
        if (const json::Value* servers = c->find("servers"))
            for (const auto& u : servers->items())
                if (u.is_string()) cs.servers.push_back(u.as_string());
        out.push_back(std::move(cs));
    }
    return out;
}
inline std::vector<ConnectorStatus> connector_status(const Host& host, std::string_view plugin = {}) {
    return connector_status(host.host_status(), plugin);
}

// The newest last_contact_ns over connector_status(): nullopt when no running
// plugin publishes the contract; 0 when one does but never reached a node.
inline std::optional<int64_t> last_central_contact_ns(std::string_view host_status_json,
                                                      std::string_view plugin = {}) {
    std::optional<int64_t> newest;
    for (const auto& c : connector_status(host_status_json, plugin))
        if (!newest || c.last_contact_ns > *newest) newest = c.last_contact_ns;
    return newest;
}
inline std::optional<int64_t> last_central_contact_ns(const Host& host, std::string_view plugin = {}) {
    return last_central_contact_ns(host.host_status(), plugin);
}

}  // namespace vigil
