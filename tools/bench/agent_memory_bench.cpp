// vigil-bench agent-memory [--json] [--idle S] [--plugins "a b"] [--build DIR]
// Where vigild's resident memory goes: the real vigild with no plugin, with
// each plugin alone and with every plugin (kataedr connected to a local
// vigil-central), each idle for S seconds; RSS by kind and by mapping, and
// each plugin's delta over the bare host (driver: agent_memory_bench.sh).
#include <stdexcept>
#include <string>

#include "bench.hpp"

VIGIL_BENCH(agent_memory, "agent-memory",
            "vigild idle RSS with no plugin, each plugin alone and all plugins, by mapping") {
    std::string cmd = "bash '" + std::string(VIGIL_SOURCE_DIR) + "/tools/bench/agent_memory_bench.sh' --build '" +
                      args.get("build", VIGIL_BINARY_DIR) + "' --idle " + std::to_string(args.get_int("idle", 10));
    const std::string plugins = args.get("plugins");
    if (plugins.find('\'') != std::string::npos) throw std::runtime_error("--plugins: a quote is not a plugin name");
    if (!plugins.empty()) cmd += " --plugins '" + plugins + "'";
    return vigil::bench::run_driver(cmd, args, "agent-memory");
}
