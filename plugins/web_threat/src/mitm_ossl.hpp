// Owning pointers for the OpenSSL objects of the encrypted connections scan
// (mitm_*): every object is freed by its own OpenSSL free function, so no
// early return leaks one.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace vigil::web_threat {

template <typename T, void (*Free)(T*)>
struct OsslFree {
    void operator()(T* p) const { Free(p); }
};

using X509Ptr = std::unique_ptr<X509, OsslFree<X509, X509_free>>;
using PKeyPtr = std::unique_ptr<EVP_PKEY, OsslFree<EVP_PKEY, EVP_PKEY_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OsslFree<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OsslFree<SSL, SSL_free>>;

// A new reference to `x` (the caller and the owner both keep theirs).
X509Ptr share(X509* x);
PKeyPtr share(EVP_PKEY* k);

// PEM text in and out; the parsers return null on anything but one object of
// the kind asked for.
X509Ptr certificate_from_pem(std::string_view pem);
PKeyPtr private_key_from_pem(std::string_view pem);
std::string pem_of(X509* x);
std::string pem_of_private_key(EVP_PKEY* k);

// A new ECDSA P-256 key (the CA's and the worker's one leaf key).
PKeyPtr new_p256_key();

}  // namespace vigil::web_threat
