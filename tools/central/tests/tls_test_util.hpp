#pragma once
// Test helpers: keys and CSRs made the way an agent makes them (OpenSSL, key stays here).
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace tls_test {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

inline Pkey new_ec_key() {
    Pkey k(EVP_EC_gen("P-256"));
    REQUIRE(k);
    return k;
}

inline Pkey new_rsa_key(unsigned bits) {
    Pkey k(EVP_RSA_gen(bits));
    REQUIRE(k);
    return k;
}

inline X509_REQ* make_req(EVP_PKEY* key, const std::string& cn) {
    X509_REQ* req = X509_REQ_new();
    X509_NAME* name = X509_REQ_get_subject_name(req);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                               -1, 0);
    X509_REQ_set_pubkey(req, key);
    REQUIRE(X509_REQ_sign(req, key, EVP_sha256()) > 0);
    return req;
}

inline std::string req_pem(X509_REQ* req) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(bio, req);
    char* p = nullptr;
    long n = BIO_get_mem_data(bio, &p);
    std::string out(p, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
}

inline std::string csr_pem(EVP_PKEY* key, const std::string& cn) {
    X509_REQ* req = make_req(key, cn);
    std::string out = req_pem(req);
    X509_REQ_free(req);
    return out;
}

// A CSR whose subject changed after it was signed.
inline std::string tampered_csr_pem(EVP_PKEY* key) {
    X509_REQ* req = make_req(key, "original");
    X509_NAME* name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("changed"), -1,
                               -1, 0);
    X509_REQ_set_subject_name(req, name);
    X509_NAME_free(name);
    std::string out = req_pem(req);
    X509_REQ_free(req);
    return out;
}

inline Cert parse_cert(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    Cert c(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    REQUIRE(c);
    return c;
}

}  // namespace tls_test
