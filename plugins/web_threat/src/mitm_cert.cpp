#include "mitm_cert.hpp"

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <string>
#include <vigil/common/openssl_errors.hpp>

namespace vigil::web_threat {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("making a certificate: ") + what + ": " + common::openssl_errors());
}

// 127 random bits, positive (RFC 5280 4.1.2.2: at most 20 octets, unique per issuer).
void random_serial(X509* x) {
    std::unique_ptr<BIGNUM, OsslFree<BIGNUM, BN_free>> bn(BN_new());
    if (!bn || BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) fail("serial");
    if (!BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x))) fail("serial");
}

}  // namespace

X509Ptr new_certificate(EVP_PKEY* key, std::string_view common_name, int64_t from_s, int64_t to_s) {
    X509Ptr x(X509_new());
    if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) fail("X509_new");
    random_serial(x.get());
    if (!X509_gmtime_adj(X509_getm_notBefore(x.get()), long(from_s)) ||
        !X509_gmtime_adj(X509_getm_notAfter(x.get()), long(to_s)))
        fail("validity");
    X509_NAME* name = X509_get_subject_name(x.get());
    if (!common_name.empty() && common_name.size() <= 64 &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.data()),
                                   int(common_name.size()), -1, 0) != 1)
        fail("subject");
    if (X509_set_pubkey(x.get(), key) != 1) fail("public key");
    return x;
}

void add_extension(X509* x, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) fail(OBJ_nid2sn(nid));
    const int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) fail(OBJ_nid2sn(nid));
}

void sign_certificate(X509* x, X509* issuer, EVP_PKEY* issuer_key) {
    if (X509_set_issuer_name(x, X509_get_subject_name(issuer)) != 1) fail("issuer");
    if (X509_sign(x, issuer_key, EVP_sha256()) <= 0) fail("signature");
}

}  // namespace vigil::web_threat
