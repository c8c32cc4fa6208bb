// libFuzzer: response task arguments as a central-node task or vigilctl sends
// them (get_file, delete_file, run_process, terminate_process) and the
// settings. The first byte picks the parser; bad input must throw ArgError or
// std::runtime_error, never crash.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "command_args.hpp"
#include "json_args.hpp"
#include "settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    using namespace vigil::response;
    static const ResponseConfig cfg = parse_config("{}");
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 5) {
        case 0: (void)parse_get_file_args(text); break;
        case 1: (void)parse_delete_file_args(text); break;
        case 2: (void)parse_run_process_args(text, cfg); break;
        case 3: (void)parse_terminate_args(text, cfg); break;
        default: (void)parse_config(text); break;
        }
    } catch (const ArgError&) {
    } catch (const std::runtime_error&) {
    }
    return 0;
}
