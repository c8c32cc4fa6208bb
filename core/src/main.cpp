// vigild — the Vigil host daemon.
#include <cstring>
#include <iostream>
#include <string>

#include <vigil/plugin.h>

#include "control_socket.hpp"
#include "daemon.hpp"
#include "log.hpp"
#include "malloc_policy.hpp"
#include "version.hpp"

namespace {
void usage(std::ostream& o) {
    o << "usage: vigild [--config FILE]      run in the foreground (default /etc/vigil/vigil.yaml)\n"
         "       vigild --check-config FILE  validate a configuration without starting\n"
         "       vigild --version            print the daemon and plugin ABI versions\n";
}
}  // namespace

int main(int argc, char** argv) {
    // Once, while there is one thread: nothing vigild creates is writable by others.
    vigil::core::tighten_umask();
    std::string config = "/etc/vigil/vigil.yaml";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--version" || a == "-V") {
            std::cout << "vigild " << vigil::core::kVersion << " (plugin ABI " << VIGIL_ABI_MAJOR << "."
                      << VIGIL_ABI_MINOR << ")\n";
            return 0;
        }
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            return 0;
        }
        if ((a == "--config" || a == "-c" || a == "--check-config") && i + 1 >= argc) {
            std::cerr << "vigild: " << a << " needs a file argument\n";
            usage(std::cerr);
            return 2;
        }
        if (a == "--config" || a == "-c") {
            config = argv[++i];
        } else if (a == "--check-config") {
            std::string path = argv[++i], summary;
            auto errors = vigil::core::check_config_file(path, &summary);
            for (const auto& e : errors) std::cerr << e.str() << "\n";
            if (!errors.empty()) {
                std::cerr << "vigild: " << errors.size() << " configuration error(s)\n";
                return 2;
            }
            std::cout << summary << "\n";
            return 0;
        } else {
            std::cerr << "vigild: unknown argument '" << a << "'\n";
            usage(std::cerr);
            return 2;
        }
    }
    vigil::core::log_init_from_environment();
    // Before the daemon starts its threads: arenas made earlier would stay.
    vigil::core::limit_malloc_arenas();
    vigil::core::Daemon daemon(config);
    return daemon.run();
}
