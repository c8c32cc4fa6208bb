// What the plugin hands the worker at start (JSON on the worker's fd 3): its
// settings as vigild gave them, the state directory (the kept central lists),
// the uid/gid to run as, vigild's pid (the worker dies with it) and the DNS
// upstreams the plugin resolved; with the encrypted connections scan on, the
// CA (certificate and key, PEM) the plugin loaded as root: this socket is the
// only way the key reaches the worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "endpoint.hpp"

namespace vigil::web_threat {

struct WorkerConfig {
    std::string settings_json;
    std::string state_dir;
    uint32_t uid = 0, gid = 0;
    int64_t parent_pid = 0;
    std::vector<std::string> dns_upstreams;
    std::string mitm_ca_cert, mitm_ca_key;  // both empty: no scan
    std::vector<std::string> mitm_exclusions;  // the kataedr servers, the agent's proxy
    std::string agent_id;  // in the threat ids the block page quotes
};

std::string worker_config_json(const WorkerConfig& c);
// Throws std::runtime_error naming what is wrong.
WorkerConfig parse_worker_config(std::string_view json);

// "192.0.2.1", "192.0.2.1:5353", "2001:db8::1", "[2001:db8::1]:5353" (port 53
// by default); nullopt when it is none of those.
std::optional<Endpoint> parse_upstream(std::string_view text);

// The nameservers of a resolv.conf that are not loopback addresses (a local
// stub such as systemd-resolved's 127.0.0.53 would send the query back into
// the redirect's blind spot or loop).
std::vector<std::string> resolv_conf_upstreams(std::string_view text);

}  // namespace vigil::web_threat
