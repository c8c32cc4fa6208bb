// Reachability probe of the central nodes after isolation starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

namespace vigil::isolation {

struct ProbeTarget {
    std::string address;  // numeric IPv4/IPv6
    uint16_t port = 0;
    std::string text() const;
};

// One TCP connect attempt with a timeout. Returns "" on success, else why not.
std::string tcp_connect(const ProbeTarget& t, std::chrono::milliseconds timeout);

struct ProbeResult {
    bool reachable = false;
    std::string detail;  // which target answered, or the last error of each
};

// Tries every target in rounds until one accepts a TCP connection, the
// budget runs out, or stop is requested.
ProbeResult probe_any(const std::vector<ProbeTarget>& targets, std::chrono::milliseconds budget,
                      std::stop_token stop);

}  // namespace vigil::isolation
