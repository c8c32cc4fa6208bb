// vigil-bench file-threat [--json] [--quick] [--opens N] [--execs N] [--repeats N] [--yara DIR]
// Open-heavy and exec-heavy workloads with on-access scanning off and on
// (warm cache) in the same invocation, and cached decisions per second.
#include <cstdio>

#include "bench.hpp"
#include "file_threat_workloads.hpp"

VIGIL_BENCH(file_threat, "file-threat",
            "open/exec workloads with on-access scanning off vs on (warm cache); cached decisions/s") {
    vigil::file_threat::bench::BenchOptions o;
    if (args.has("quick")) {
        o.open_iterations = 2000;
        o.exec_iterations = 50;
        o.repeats = 1;
    }
    o.open_iterations = int(args.get_int("opens", o.open_iterations));
    o.exec_iterations = int(args.get_int("execs", o.exec_iterations));
    o.repeats = int(args.get_int("repeats", o.repeats));
    o.yara_dir = args.get("yara");
    const std::string out = vigil::file_threat::bench::run_file_threat_bench(o);
    std::printf("%s\n", out.c_str());
    std::fflush(stdout);
    return out.find("\"error\"") == std::string::npos ? 0 : 1;
}
