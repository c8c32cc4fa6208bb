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
void one(const EVP_MD* md, std::string_view data, std::array<uint8_t, N>& out) {
    Ctx ctx(EVP_MD_CTX_new());
    unsigned len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != N)
        throw std::runtime_error("OpenSSL digest failed");
}
}  // namespace

Digests digest_bytes(std::string_view data) {
    Digests d;
    one(EVP_md5(), data, d.md5);
    one(EVP_sha1(), data, d.sha1);
    one(EVP_sha256(), data, d.sha256);
    return d;
}

}  // namespace file_threat
