#pragma once

#include <string>

namespace vigil::file_threat::bench {

struct BenchOptions {
    int open_iterations = 20000;  // per measurement
    int exec_iterations = 2000;  // ~1.5 s a run: shorter runs are mostly noise
    int files = 64;
    int repeats = 3;              // median of this many runs, on and off interleaved
    std::string yara_dir;         // rules loaded into the engines ("" = EICAR only)
};

// Open-heavy and exec-heavy workloads with on-access scanning off and on
// (warm cache) in the same invocation, plus the user-space cached-decision
// rate. Runs in a private mount namespace on a tmpfs it mounts (needs root).
// Returns a JSON object (an "error" member when the bench could not run).
std::string run_file_threat_bench(const BenchOptions& options);

}  // namespace vigil::file_threat::bench
