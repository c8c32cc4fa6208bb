// vigil-bench network-threat [--json] [--idle S] [--flood S] [--build DIR]
// Runs the Python driver next to this file (network namespaces, a real
// vigild, nmap and a raw-socket flood sender) and prints its JSON report:
// detection latency per scan kind, ban latency p50/p99, agent CPU per
// 100,000 failed probes, CPU/RSS idle and under flood, events per attacker.
#include <cstdio>
#include <string>

#include "bench.hpp"

VIGIL_BENCH(network_threat, "network-threat",
            "network_threat: detection and ban latency, CPU per 100k failed probes, CPU/RSS idle and under flood") {
    std::string cmd = "python3 '" + std::string(VIGIL_SOURCE_DIR) +
                      "/plugins/network_threat/bench/network_threat_bench.py' --build '" +
                      args.get("build", VIGIL_BINARY_DIR) + "' --idle " + args.get("idle", "60") + " --flood " +
                      args.get("flood", "10");
    return vigil::bench::run_driver(cmd, args, "network-threat");
}
