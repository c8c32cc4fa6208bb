// vigil-bench isolation [--json] [--iterations N] [--exclusions N] [--big N] [--build DIR]
// Command received -> rules enforced latency of isolation.on (target p50 <=
// 20 ms) and the apply time with 1,000 exclusions, measured in a private
// network namespace with the real kernel (see isolation_workload.cpp).
#include <cstdio>

#include "bench.hpp"
#include "isolation_workload.hpp"

VIGIL_BENCH(isolation, "isolation",
            "isolation.on: command received -> nft rules enforced (p50/p95), 1,000-exclusion apply time") {
    vigil::isolation::bench::Options o;
    o.iterations = int(args.get_int("iterations", o.iterations));
    o.exclusions = int(args.get_int("exclusions", o.exclusions));
    o.big_exclusions = int(args.get_int("big", o.big_exclusions));
    o.binary_dir = args.get("build", VIGIL_BINARY_DIR);
    const std::string out = vigil::isolation::bench::run_in_private_netns(o);
    if (args.json) {
        std::printf("%s\n", out.c_str());
    } else {
        // The report is flat JSON: print it one field per line for people.
        std::string line;
        for (char c : out) {
            if (c == '{' || c == '}') continue;
            if (c == ',') {
                std::printf("  %s\n", line.c_str());
                line.clear();
            } else {
                line += c == '"' ? '\0' : c;
                if (line.back() == '\0') line.pop_back();
            }
        }
        if (!line.empty()) std::printf("  %s\n", line.c_str());
    }
    return out.find("\"error\"") == std::string::npos ? 0 : 1;
}
