#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace file_threat {

using Md5 = std::array<uint8_t, 16>;
using Sha1 = std::array<uint8_t, 20>;
using Sha256 = std::array<uint8_t, 32>;

// MD5, SHA-1 and SHA-256 of one file content, computed in a single pass.
struct Digests {
    Md5 md5{};
    Sha1 sha1{};
    Sha256 sha256{};
};

Digests digest_bytes(std::string_view data);

// The same, fed in pieces.
class DigestStream {
public:
    DigestStream();
    ~DigestStream();
    DigestStream(const DigestStream&) = delete;
    DigestStream& operator=(const DigestStream&) = delete;
    void update(std::string_view data);
    Digests finish();

private:
    struct Impl;
    Impl* impl_;
};

template <size_t N>
std::string to_hex(const std::array<uint8_t, N>& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out(N * 2, '0');
    for (size_t i = 0; i < N; ++i) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    return out;
}

// Parses exactly N bytes of hex (either case); nullopt on any other input.
template <size_t N>
std::optional<std::array<uint8_t, N>> from_hex(std::string_view hex) {
    if (hex.size() != N * 2) return std::nullopt;
    std::array<uint8_t, N> out{};
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < N; ++i) {
        int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = uint8_t(hi << 4 | lo);
    }
    return out;
}

}  // namespace file_threat
