// Standalone runner of the file-threat benchmark (until vigil-bench exists):
//   file_threat_bench [--json] [--quick] [--yara DIR]
#include <cstring>
#include <iostream>

#include "file_threat_workloads.hpp"

int main(int argc, char** argv) {
    file_threat::bench::BenchOptions o;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) {
            o.open_iterations = 2000;
            o.exec_iterations = 50;
            o.repeats = 1;
        } else if (!std::strcmp(argv[i], "--yara") && i + 1 < argc) {
            o.yara_dir = argv[++i];
        }
    }
    const std::string out = file_threat::bench::run_file_threat_bench(o);
    std::cout << out << "\n";
    return out.find("\"error\"") == std::string::npos ? 0 : 1;
}
