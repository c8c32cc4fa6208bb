// libFuzzer: vigil.yaml text. The parser accepts a config or returns errors
// naming file, line and key; it never crashes, recurses without bound or
// expands aliases without bound (the input is capped by max_len, and the
// limits inside bound what a small input can become).
#include <cstdint>
#include <string>

#include "config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto r = vigil::core::parse_config_text(text, "fuzz.yaml");
    if (r.config && !r.errors.empty()) __builtin_trap();  // accepted means no errors
    for (const auto& e : r.errors) (void)e.str();
    return 0;
}
