// Benchmark workload of the isolation plugin, as plain functions so it can run
// standalone (isolation_bench) and inside vigil-bench.
#pragma once

#include <string>

namespace vigil::isolation::bench {

struct Options {
    int iterations = 200;       // isolation.on commands timed for the latency figure
    int exclusions = 10;        // exclusions per command in the latency figure
    int big_exclusions = 1000;  // exclusions for the apply-time figure
    int big_iterations = 10;
    // Build directory holding bin/vigild and plugins/isolation.so: when set,
    // the same commands also go end to end through the control socket of a
    // real vigild (client send -> reply, and the plugin's own figure).
    std::string binary_dir;
};

// Runs the whole workload in a child process inside a fresh network namespace
// (the host's ruleset is never touched) and returns its JSON report, or a
// JSON object with "error".
std::string run_in_private_netns(const Options& o);

}  // namespace vigil::isolation::bench
