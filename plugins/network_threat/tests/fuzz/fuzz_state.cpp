// libFuzzer: the plugin's own untrusted inputs besides packets: its settings
// JSON (a host that does not validate could pass anything) and the ban
// ledger file in the state directory (damaged, truncated, edited by hand).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ledger.hpp"
#include "settings.hpp"

using namespace vigil::network_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)parse_settings(text);
    } catch (const SettingsError&) {
    }
    static const std::string path = [] {
        std::string p = "/tmp/network_threat_fuzz_ledger." + std::to_string(::getpid());
        std::atexit(
            [] { std::remove(("/tmp/network_threat_fuzz_ledger." + std::to_string(::getpid())).c_str()); });
        return p;
    }();
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
        Ledger l(path);
        (void)l.load();
        (void)l.take_expired(1000);
    }
    return 0;
}
