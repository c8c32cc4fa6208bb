// vigil-bench SCENARIO [--json] [options]: runs one benchmark scenario.
#include <cstring>
#include <iostream>

#include "bench.hpp"

namespace vigil::bench {
std::vector<Scenario>& registry() {
    static std::vector<Scenario> r;
    return r;
}
}  // namespace vigil::bench

int main(int argc, char** argv) {
    using namespace vigil::bench;
    auto usage = [] {
        std::cerr << "usage: vigil-bench SCENARIO [--json] [options]\n\nscenarios:\n";
        for (const auto& s : registry()) std::cerr << "  " << s.name << "\t" << s.help << "\n";
    };
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    Args args;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) args.json = true;
        args.words.emplace_back(argv[i]);
    }
    for (const auto& s : registry())
        if (s.name == std::string(argv[1])) {
            try {
                return s.fn(args);
            } catch (const std::exception& e) {
                std::cerr << "vigil-bench " << s.name << ": " << e.what() << "\n";
                return 1;
            }
        }
    std::cerr << "vigil-bench: unknown scenario '" << argv[1] << "'\n";
    usage();
    return 2;
}
