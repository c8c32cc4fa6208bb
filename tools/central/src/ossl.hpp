#pragma once
// Owning handles for OpenSSL objects and the error-queue text, so every early return frees.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>
#include <vigil/common/openssl_errors.hpp>

namespace vigil::central::ossl {

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};

using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using Names = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;

// The queued OpenSSL errors as one line (and the queue emptied).
inline std::string errors() { return common::openssl_errors(); }

inline Bio memory_bio(std::string_view data) {
    return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

inline std::string bio_text(BIO* bio) {
    char* p = nullptr;
    long n = BIO_get_mem_data(bio, &p);
    return n > 0 ? std::string(p, static_cast<size_t>(n)) : std::string();
}

}  // namespace vigil::central::ossl
