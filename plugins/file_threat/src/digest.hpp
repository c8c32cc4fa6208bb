#pragma once
// MD5, SHA-1 and SHA-256 as byte arrays (the hash list and the prevention
// list look them up as arrays), computed by the shared multi-digest of
// vigil/common/digest.hpp.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <vigil/common/hex.hpp>

namespace vigil::file_threat {

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
    std::unique_ptr<Impl> impl_;
};

using vigil::common::to_hex;

// Parses exactly N bytes of hex (either case); nullopt on any other input.
template <size_t N>
std::optional<std::array<uint8_t, N>> from_hex(std::string_view hex) {
    return vigil::common::from_hex_fixed<N>(hex);
}

}  // namespace vigil::file_threat
