#pragma once
// Lower-case hex encoding and strict decoding of byte strings.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::common {

std::string to_hex(const void* data, size_t size);
inline std::string to_hex(std::string_view bytes) { return to_hex(bytes.data(), bytes.size()); }
template <size_t N>
std::string to_hex(const std::array<uint8_t, N>& bytes) {
    return to_hex(bytes.data(), N);
}

// The value (0-15) of one hex digit of either case; -1 for any other character.
int hex_digit_value(char c);

// Decodes hex of either case; nullopt on an odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view hex);

// Decodes exactly N bytes; nullopt for any other input.
template <size_t N>
std::optional<std::array<uint8_t, N>> from_hex_fixed(std::string_view hex) {
    if (hex.size() != N * 2) return std::nullopt;
    auto bytes = from_hex(hex);
    if (!bytes) return std::nullopt;
    std::array<uint8_t, N> out{};
    for (size_t i = 0; i < N; ++i) out[i] = static_cast<uint8_t>((*bytes)[i]);
    return out;
}

// True when `s` is exactly `digits` lower- or upper-case hex characters.
bool is_hex(std::string_view s, size_t digits);

}  // namespace vigil::common
