#include "mitm_ossl.hpp"

#include <openssl/pem.h>

#include <stdexcept>
#include <vigil/common/openssl_errors.hpp>

namespace vigil::web_threat {

namespace {

using BioPtr = std::unique_ptr<BIO, OsslFree<BIO, BIO_free_all>>;

BioPtr read_bio(std::string_view pem) { return BioPtr(BIO_new_mem_buf(pem.data(), int(pem.size()))); }

std::string drain(BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    return n > 0 ? std::string(data, size_t(n)) : std::string();
}

}  // namespace

X509Ptr share(X509* x) {
    if (x) X509_up_ref(x);
    return X509Ptr(x);
}

PKeyPtr share(EVP_PKEY* k) {
    if (k) EVP_PKEY_up_ref(k);
    return PKeyPtr(k);
}

X509Ptr certificate_from_pem(std::string_view pem) {
    if (pem.size() > (1u << 20)) return nullptr;
    BioPtr b = read_bio(pem);
    return X509Ptr(b ? PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr) : nullptr);
}

PKeyPtr private_key_from_pem(std::string_view pem) {
    if (pem.size() > (1u << 20)) return nullptr;
    BioPtr b = read_bio(pem);
    // No passphrase callback: an encrypted key is refused, not prompted for.
    static const auto no_passphrase = [](char*, int, int, void*) { return 0; };
    return PKeyPtr(b ? PEM_read_bio_PrivateKey(b.get(), nullptr, no_passphrase, nullptr) : nullptr);
}

std::string pem_of(X509* x) {
    BioPtr b(BIO_new(BIO_s_mem()));
    if (!b || PEM_write_bio_X509(b.get(), x) != 1) throw std::runtime_error("PEM of a certificate: " + common::openssl_errors());
    return drain(b.get());
}

std::string pem_of_private_key(EVP_PKEY* k) {
    BioPtr b(BIO_new(BIO_s_mem()));
    if (!b || PEM_write_bio_PrivateKey(b.get(), k, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("PEM of a private key: " + common::openssl_errors());
    return drain(b.get());
}

PKeyPtr new_p256_key() {
    PKeyPtr k(EVP_EC_gen("P-256"));
    if (!k) throw std::runtime_error("generating an ECDSA P-256 key: " + common::openssl_errors());
    return k;
}

}  // namespace vigil::web_threat
