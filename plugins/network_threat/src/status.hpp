// The plugin's status JSON (vigilctl status, the connector's heartbeat).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy.hpp"
#include "sensor.hpp"
#include "settings.hpp"

namespace vigil::network_threat {

struct StatusInput {
    const Settings* settings = nullptr;
    const SensorCounters* sensor = nullptr;
    Policy::Stats policy;
    size_t bans = 0;
    uint64_t banned_packets = 0;
    size_t rules = 0;
    std::vector<Protected> protected_entries;
    std::map<std::string, uint64_t> findings_by_class;
    std::string error;  // why the plugin is not detecting (NFLOG or nftables refused), or empty
    const common::Histogram* ban_latency = nullptr;
};

// The status object, with the Prometheus "metrics" array vigild renders
// (docs/metrics.md, README "Metrics").
std::string status_json(const StatusInput& in);
std::string metrics_json(const StatusInput& in);

// p-th percentile (0-100) of `v` (copied, sorted); 0 for an empty vector.
double percentile(std::vector<double> v, double p);

}  // namespace vigil::network_threat
