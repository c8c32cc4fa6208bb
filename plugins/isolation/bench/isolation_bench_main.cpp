// Standalone runner of the isolation benchmark: prints one JSON object.
// Usage: isolation_bench [iterations] [big_exclusions]
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "isolation_workload.hpp"

int main(int argc, char** argv) {
    vigil::isolation::bench::Options o;
    if (argc > 1) o.iterations = std::max(1, std::atoi(argv[1]));
    if (argc > 2) o.big_exclusions = std::max(1, std::atoi(argv[2]));
    o.binary_dir = VIGIL_BINARY_DIR;
    std::puts(vigil::isolation::bench::run_in_private_netns(o).c_str());
    return 0;
}
