// Reads the host's status snapshot (host.host_status()) for the heartbeat:
// each plugin's state, version and status, the isolation plugin's state, and
// drop counters. Parsed defensively: fields the host does not provide are
// reported as absent/zero rather than failing the heartbeat.
#pragma once

#include <cstdint>
#include <string>

namespace vigil::kataedr {

struct HostStatusSummary {
    std::string plugins_json = "{}";      // {"<name>":{"state":..,"version":..,"status":{..}}}
    std::string isolation_json = "null";  // the isolation plugin's status, or null
    uint64_t bus_drops = 0;
    uint64_t sensor_drops = 0;
};

HostStatusSummary summarize_host_status(const std::string& host_status_json);

}  // namespace vigil::kataedr
