#pragma once
// SHA-256 for streamed uploads and token hashes: the shared streaming digest
// (plugins/common) under the names the central node uses.
#include <cstddef>
#include <string>
#include <string_view>
#include <vigil/common/digest.hpp>

namespace vigil::central {

class Sha256 {
public:
    void update(const void* data, size_t size) { digest_.update(data, size); }
    std::string hex_digest() { return digest_.finish().sha256; }  // finishes the hash
    static std::string of(std::string_view data) { return common::sha256_hex(data); }

private:
    common::MultiDigest digest_{common::kSha256};
};

}  // namespace vigil::central
