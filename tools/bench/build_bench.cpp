// vigil-bench build [--json] [--rounds N] [--modules N] [--plugins "a b"] [--build DIR]
// What the agent costs a real build and a package-style unpack: `make -j2` of a
// generated C/C++ tree and `tar x` of /usr/include, each without and with the real
// vigild (behavior, file_threat on-access, kataedr to a local vigil-central) in the
// same run, order alternating per round (driver: build_bench.sh).
#include <stdexcept>
#include <string>

#include "bench.hpp"

VIGIL_BENCH(build, "build", "make -j2 of a generated C/C++ tree and tar x, without and with the agent") {
    std::string cmd = "bash '" + std::string(VIGIL_SOURCE_DIR) + "/tools/bench/build_bench.sh' --build '" +
                      args.get("build", VIGIL_BINARY_DIR) + "' --rounds " + std::to_string(args.get_int("rounds", 3)) +
                      " --modules " + std::to_string(args.get_int("modules", 10));
    const std::string plugins = args.get("plugins");
    if (plugins.find('\'') != std::string::npos) throw std::runtime_error("--plugins: a quote is not a plugin name");
    if (!plugins.empty()) cmd += " --plugins '" + plugins + "'";
    return vigil::bench::run_driver(cmd, args, "build");
}
