// vigil-bench agent-memory [--json] [--idle S] [--plugins "a b"] [--build DIR]
//     [--load-procs N] [--load-file-events N] [--load-jobs J] [--settle S]
//     [--plugin-load-procs N] [--plugin-load-file-events N] [--single-runs yes|no]
// Where vigild's resident memory goes: the real vigild with no plugin, with
// each plugin alone and with every plugin (kataedr connected to a local
// vigil-central), each idle for S seconds; RSS by kind and by mapping, and
// each plugin's delta over the bare host. The run with every plugin then takes
// a load of short-lived processes and file events (vigil-bench agent-load) and
// is measured again after --settle seconds (driver: agent_memory_bench.sh).
#include <stdexcept>
#include <string>

#include "bench.hpp"

VIGIL_BENCH(agent_memory, "agent-memory",
            "vigild RSS with no plugin, each plugin alone and all plugins, idle and after a load, by mapping") {
    std::string cmd = "bash '" + std::string(VIGIL_SOURCE_DIR) + "/tools/bench/agent_memory_bench.sh' --build '" +
                      args.get("build", VIGIL_BINARY_DIR) + "' --idle " + std::to_string(args.get_int("idle", 10));
    // Numbers only (get_int refuses anything else); the driver checks their ranges.
    for (const char* opt : {"load-procs", "load-file-events", "load-jobs", "settle", "plugin-load-procs",
                            "plugin-load-file-events"})
        if (!args.get(opt).empty()) cmd += std::string(" --") + opt + " " + std::to_string(args.get_int(opt, 0));
    const std::string single = args.get("single-runs");
    if (!single.empty() && single != "yes" && single != "no")
        throw std::runtime_error("--single-runs is yes or no, got '" + single + "'");
    if (!single.empty()) cmd += " --single-runs " + single;
    const std::string plugins = args.get("plugins");
    if (plugins.find('\'') != std::string::npos) throw std::runtime_error("--plugins: a quote is not a plugin name");
    if (!plugins.empty()) cmd += " --plugins '" + plugins + "'";
    return vigil::bench::run_driver(cmd, args, "agent-memory");
}
