// What the plugin learns from the host and the agent to protect: the
// connector's central nodes and proxy (from the host status snapshot), the
// agent's proxy, and the never-block list assembled from everything.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "never_block.hpp"
#include "settings.hpp"

namespace vigil::network_threat {

// The "servers" URLs and "proxy" of plugin `connector` in a host status
// snapshot ({"plugins":[{"name":..,"status":{..}}]}); empty when absent.
std::vector<std::string> connector_endpoints(std::string_view host_status_json, std::string_view connector);
// "proxy" of the agent section JSON, or "".
std::string agent_proxy(std::string_view agent_json);

struct HostFactSources {
    std::string proc_net = "/proc/net";
    std::vector<std::string> connector;  // from connector_endpoints()
    std::string proxy;                   // from agent_proxy()
};

// Every protected address with its reason.
std::vector<Protected> gather_protected(const Settings& s, const HostFactSources& src);

}  // namespace vigil::network_threat
