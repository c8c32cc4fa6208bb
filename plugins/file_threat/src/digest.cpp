#include "digest.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace file_threat {

namespace {
struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

template <size_t N>
void finish_one(EVP_MD_CTX* ctx, std::array<uint8_t, N>& out) {
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != N) throw std::runtime_error("OpenSSL digest failed");
}
}  // namespace

Digests digest_bytes(std::string_view data) {
    DigestStream s;
    s.update(data);
    return s.finish();
}

struct DigestStream::Impl {
    Ctx md5{EVP_MD_CTX_new()}, sha1{EVP_MD_CTX_new()}, sha256{EVP_MD_CTX_new()};
};

DigestStream::DigestStream() : impl_(new Impl) {
    if (!impl_->md5 || !impl_->sha1 || !impl_->sha256 || EVP_DigestInit_ex(impl_->md5.get(), EVP_md5(), nullptr) != 1 ||
        EVP_DigestInit_ex(impl_->sha1.get(), EVP_sha1(), nullptr) != 1 ||
        EVP_DigestInit_ex(impl_->sha256.get(), EVP_sha256(), nullptr) != 1) {
        delete impl_;
        throw std::runtime_error("OpenSSL digest failed");
    }
}

DigestStream::~DigestStream() { delete impl_; }

void DigestStream::update(std::string_view data) {
    if (EVP_DigestUpdate(impl_->md5.get(), data.data(), data.size()) != 1 ||
        EVP_DigestUpdate(impl_->sha1.get(), data.data(), data.size()) != 1 ||
        EVP_DigestUpdate(impl_->sha256.get(), data.data(), data.size()) != 1)
        throw std::runtime_error("OpenSSL digest failed");
}

Digests DigestStream::finish() {
    Digests d;
    finish_one(impl_->md5.get(), d.md5);
    finish_one(impl_->sha1.get(), d.sha1);
    finish_one(impl_->sha256.get(), d.sha256);
    return d;
}

}  // namespace file_threat
