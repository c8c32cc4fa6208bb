// libFuzzer: what file_threat reads from outside: the prevention list pushed
// by the central node (set_prevention_list), file_threat.scan arguments and
// the settings. The first byte picks the parser; invalid input must throw
// std::invalid_argument / std::runtime_error, never crash.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "prevention_list.hpp"
#include "scan_request.hpp"
#include "settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 3) {
        case 0: {
            auto list = vigil::file_threat::PreventionList::parse_json(text);
            (void)list.to_json();
            break;
        }
        case 1: (void)vigil::file_threat::parse_scan_request(text, {}); break;
        default: (void)vigil::file_threat::parse_settings(text); break;
        }
    } catch (const std::invalid_argument&) {
    } catch (const std::runtime_error&) {
    }
    return 0;
}
