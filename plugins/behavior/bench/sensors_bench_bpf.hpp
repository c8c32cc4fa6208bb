// vigil-bench sensors: the kernel's run time of each eBPF sensor program over the
// measured part of a round, carried from the agent child to the bench as text.
#pragma once

#include "sensor_set.hpp"
#if BEHAVIOR_HAVE_EBPF
#include "sensors/ebpf/ebpf_sensor.hpp"
#endif

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <string>

namespace vigil::behavior::bench {

using BpfCounts = std::map<std::string, std::pair<uint64_t, uint64_t>>;

// Run time and runs of the eBPF programs of `set` so far (empty without eBPF).
inline BpfCounts bpf_counts([[maybe_unused]] vigil::behavior::SensorSet& set) {
    BpfCounts out;
#if BEHAVIOR_HAVE_EBPF
    for (auto* s : set.sensors())
        if (auto* e = dynamic_cast<vigil::behavior::EbpfSensor*>(s))
            for (const auto& p : e->program_stats()) out[p.name] = {p.run_time_ns, p.run_cnt};
#endif
    return out;
}

// " bpf=1 name:ns:runs ..." (the measurement's share: `after` - `before`).
inline std::string bpf_text(bool enabled, const BpfCounts& before, const BpfCounts& after) {
    std::string out = std::string(" bpf=") + (enabled ? "1" : "0");
    for (const auto& [name, v] : after) {
        auto b = before.count(name) ? before.at(name) : std::pair<uint64_t, uint64_t>{0, 0};
        if (v.second > b.second)
            out += " " + name + ":" + std::to_string(v.first - b.first) + ":" + std::to_string(v.second - b.second);
    }
    return out;
}

// Reads back what bpf_text() wrote (after the other fields of the agent's answer).
inline void parse_bpf_text(const char* buf, bool& enabled_out, BpfCounts& counts) {
    const char* p = std::strstr(buf, " bpf=");
    if (!p) return;
    std::istringstream in(p + 5);
    int enabled = 0;
    in >> enabled;
    enabled_out = enabled == 1;
    std::string tok;
    while (in >> tok) {
        auto a = tok.find(':'), b = tok.rfind(':');
        if (a == std::string::npos || a == b) continue;
        counts[tok.substr(0, a)] = {std::stoull(tok.substr(a + 1, b - a - 1)), std::stoull(tok.substr(b + 1))};
    }
}

// {"stats_enabled":..,"total_ns_per_iteration":..,"programs":{"handle_close":{"ns_per_run","runs"},...}}
inline std::string bpf_json(bool enabled, const BpfCounts& counts, long iterations) {
    std::string progs;
    uint64_t total = 0;
    for (const auto& [name, v] : counts) {
        total += v.first;
        char b[160];
        std::snprintf(b, sizeof b, "%s\"%s\":{\"ns_per_run\":%.0f,\"runs\":%llu}", progs.empty() ? "" : ",",
                      name.c_str(), v.second ? double(v.first) / double(v.second) : 0.0, (unsigned long long)v.second);
        progs += b;
    }
    char head[160];
    std::snprintf(head, sizeof head, "{\"stats_enabled\":%s,\"total_ns_per_iteration\":%.0f,\"programs\":{",
                  enabled ? "true" : "false", iterations > 0 ? double(total) / double(iterations) : 0.0);
    return head + progs + "}}";
}

}  // namespace vigil::behavior::bench
