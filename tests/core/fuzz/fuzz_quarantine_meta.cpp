// libFuzzer: a quarantine entry's meta.json as restore reads it back (a
// damaged or planted entry). Malformed input is refused with a reason.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "quarantine_meta.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string why;
    auto m = vigil::core::parse_quarantine_meta(std::string_view(reinterpret_cast<const char*>(data), size), &why);
    if (m && (m->original_path.empty() || m->original_path.front() != '/' || m->mode > 07777)) __builtin_trap();
    if (!m && why.empty()) __builtin_trap();
    return 0;
}
