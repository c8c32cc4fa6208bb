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
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return 1;
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int rc = ::pclose(p);
    if (args.json) {
        std::printf("%s", out.c_str());
    } else {
        std::printf("network-threat benchmark report (JSON):\n%s", out.c_str());
    }
    return rc == 0 ? 0 : 1;
}
