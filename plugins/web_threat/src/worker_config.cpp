#include "worker_config.hpp"

#include <charconv>
#include <stdexcept>
#include <vigil/common/lines.hpp>
#include <vigil/json_reader.hpp>
#include <vigil/json_writer.hpp>

namespace vigil::web_threat {

std::string worker_config_json(const WorkerConfig& c) {
    JsonWriter w;
    w.begin_object()
        .field("settings", c.settings_json)
        .field("state_dir", c.state_dir)
        .field("uid", uint64_t(c.uid))
        .field("gid", uint64_t(c.gid))
        .field("parent_pid", int64_t(c.parent_pid))
        .field("agent_id", c.agent_id);
    w.key("dns_upstreams").begin_array();
    for (const auto& u : c.dns_upstreams) w.str(u);
    w.end_array();
    if (!c.mitm_ca_cert.empty()) {
        w.field("mitm_ca_cert", c.mitm_ca_cert).field("mitm_ca_key", c.mitm_ca_key);
        w.key("mitm_exclusions").begin_array();
        for (const auto& e : c.mitm_exclusions) w.str(e);
        w.end_array();
    }
    w.end_object();
    return w.take();
}

namespace {

const json::Value& member(const json::Value& v, const char* key) {
    const json::Value* m = v.find(key);
    if (!m) throw std::runtime_error(std::string("worker config: missing ") + key);
    return *m;
}

uint64_t number(const json::Value& v, const char* key, uint64_t max) {
    const json::Value& m = member(v, key);
    if (!m.is_uint64() || m.as_uint64() > max) throw std::runtime_error(std::string("worker config: bad ") + key);
    return m.as_uint64();
}

}  // namespace

WorkerConfig parse_worker_config(std::string_view text) {
    const json::Value v = json::parse(text);
    if (!v.is_object()) throw std::runtime_error("worker config: expected an object");
    WorkerConfig c;
    const json::Value& s = member(v, "settings");
    const json::Value& d = member(v, "state_dir");
    if (!s.is_string() || !d.is_string()) throw std::runtime_error("worker config: settings/state_dir not strings");
    c.settings_json = s.as_string();
    c.state_dir = d.as_string();
    c.uid = uint32_t(number(v, "uid", 0xfffffffe));
    c.gid = uint32_t(number(v, "gid", 0xfffffffe));
    c.parent_pid = int64_t(number(v, "parent_pid", 1u << 30));
    if (const json::Value* a = v.find("agent_id"); a && a->is_string()) c.agent_id = a->as_string();
    for (const auto& u : member(v, "dns_upstreams").items()) {
        if (!u.is_string() || !parse_upstream(u.as_string()))
            throw std::runtime_error("worker config: bad dns upstream");
        c.dns_upstreams.push_back(u.as_string());
    }
    const json::Value *cert = v.find("mitm_ca_cert"), *key = v.find("mitm_ca_key");
    if (bool(cert) != bool(key) || (cert && (!cert->is_string() || !key->is_string())))
        throw std::runtime_error("worker config: mitm_ca_cert and mitm_ca_key go together, as strings");
    if (cert) {
        c.mitm_ca_cert = cert->as_string();
        c.mitm_ca_key = key->as_string();
        if (const json::Value* ex = v.find("mitm_exclusions"))
            for (const auto& e : ex->items()) {
                if (!e.is_string()) throw std::runtime_error("worker config: bad mitm exclusion");
                c.mitm_exclusions.push_back(e.as_string());
            }
    }
    return c;
}

std::optional<Endpoint> parse_upstream(std::string_view text) {
    std::string_view addr = text, port;
    if (!text.empty() && text[0] == '[') {
        const size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        addr = text.substr(1, close - 1);
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') return std::nullopt;
            port = rest.substr(1);
        }
    } else if (const size_t colon = text.find(':'); colon != std::string_view::npos && text.rfind(':') == colon) {
        addr = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    Endpoint e;
    const auto ip = common::parse_ip_address(addr);
    if (!ip) return std::nullopt;
    e.ip = ip->unmapped();
    e.port = 53;
    if (!port.empty()) {
        unsigned p = 0;
        auto r = std::from_chars(port.data(), port.data() + port.size(), p);
        if (r.ec != std::errc() || r.ptr != port.data() + port.size() || p == 0 || p > 65535) return std::nullopt;
        e.port = uint16_t(p);
    }
    return e;
}

std::vector<std::string> resolv_conf_upstreams(std::string_view text) {
    std::vector<std::string> out;
    for (std::string_view line : common::split_lines(text)) {
        const size_t start = line.find_first_not_of(" \t");
        if (start == std::string_view::npos || line.substr(start, 10) != "nameserver") continue;
        line.remove_prefix(start + 10);
        const size_t a = line.find_first_not_of(" \t");
        if (a == 0 || a == std::string_view::npos) continue;
        line.remove_prefix(a);
        const std::string_view addr = line.substr(0, line.find_first_of(" \t#;"));
        const auto ip = common::parse_ip_address(addr);
        if (ip && !ip->unmapped().is_loopback() && out.size() < 8) out.emplace_back(addr);
    }
    return out;
}

}  // namespace vigil::web_threat
