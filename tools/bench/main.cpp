// vigil-bench SCENARIO [--json] [options]: runs one benchmark scenario.
#include <algorithm>
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
    // `vigil-bench SCENARIO --help` must not start a minutes-long run that loads the machine.
    const bool help = std::find(args.words.begin(), args.words.end(), "--help") != args.words.end() ||
                      std::find(args.words.begin(), args.words.end(), "-h") != args.words.end();
    for (const auto& s : registry())
        if (s.name == std::string(argv[1])) {
            if (help) {
                std::cout << "vigil-bench " << s.name << ": " << s.help << "\n";
                return 0;
            }
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
