#include "digest.hpp"

#include <stdexcept>

#include <vigil/common/digest.hpp>

namespace vigil::file_threat {

struct DigestStream::Impl {
    vigil::common::MultiDigest md{vigil::common::kAllDigests};
};

DigestStream::DigestStream() : impl_(std::make_unique<Impl>()) {}
DigestStream::~DigestStream() = default;

void DigestStream::update(std::string_view data) { impl_->md.update(data.data(), data.size()); }

Digests DigestStream::finish() {
    const vigil::common::Digests hex = impl_->md.finish();
    auto md5 = from_hex<16>(hex.md5);
    auto sha1 = from_hex<20>(hex.sha1);
    auto sha256 = from_hex<32>(hex.sha256);
    if (!md5 || !sha1 || !sha256) throw std::runtime_error("digest failed");
    return Digests{*md5, *sha1, *sha256};
}

Digests digest_bytes(std::string_view data) {
    DigestStream s;
    s.update(data);
    return s.finish();
}

}  // namespace vigil::file_threat
