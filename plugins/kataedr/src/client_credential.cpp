#include "client_credential.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <vigil/common/atomic_file.hpp>
#include <vigil/common/openssl_errors.hpp>
#include <vigil/common/small_file.hpp>

#include <cctype>
#include <ctime>
#include <stdexcept>

namespace vigil::kataedr {
namespace {

constexpr const char* kAgentUriPrefix = "urn:vigil:agent:";

using vigil::common::openssl_errors;

struct BioFree {
    void operator()(BIO* b) const { BIO_free_all(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

std::string bio_text(BIO* bio) {
    char* p = nullptr;
    long n = BIO_get_mem_data(bio, &p);
    return n > 0 ? std::string(p, size_t(n)) : std::string();
}

int64_t asn1_seconds(const ASN1_TIME* t) {
    struct tm tm {};
    return ASN1_TIME_to_tm(t, &tm) == 1 ? int64_t(timegm(&tm)) : 0;
}

std::string serial_of(X509* cert) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = bn ? BN_bn2hex(bn) : nullptr;
    std::string out = hex ? hex : "";
    OPENSSL_free(hex);
    BN_free(bn);
    for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The agent id in the certificate's URI SAN, or "" when there is not exactly one.
std::string agent_of(X509* cert) {
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    std::string id;
    int found = 0;
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        if (n->type != GEN_URI) continue;
        std::string uri(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.uniformResourceIdentifier)),
                        size_t(ASN1_STRING_length(n->d.uniformResourceIdentifier)));
        if (uri.rfind(kAgentUriPrefix, 0) != 0) continue;
        id = uri.substr(std::string(kAgentUriPrefix).size());
        ++found;
    }
    GENERAL_NAMES_free(names);
    return found == 1 ? id : std::string();
}

void fill_from_cert(ClientCredential& c) {
    c.agent_id = agent_of(c.cert);
    c.serial = serial_of(c.cert);
    c.not_before_s = asn1_seconds(X509_get0_notBefore(c.cert));
    c.not_after_s = asn1_seconds(X509_get0_notAfter(c.cert));
}

}  // namespace

ClientCredential::~ClientCredential() {
    X509_free(cert);
    EVP_PKEY_free(key);
}

std::shared_ptr<ClientCredential> new_key() {
    auto c = std::make_shared<ClientCredential>();
    c->key = EVP_EC_gen("P-256");
    if (!c->key) throw std::runtime_error("cannot generate the agent key: " + openssl_errors());
    return c;
}

std::string make_csr(const ClientCredential& c, const std::string& agent_id) {
    X509_REQ* req = X509_REQ_new();
    X509_NAME* name = X509_REQ_get_subject_name(req);
    bool ok = req && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                reinterpret_cast<const unsigned char*>(agent_id.c_str()), -1, -1,
                                                0) == 1 &&
              X509_REQ_set_pubkey(req, c.key) == 1 && X509_REQ_sign(req, c.key, EVP_sha256()) > 0;
    Bio bio(BIO_new(BIO_s_mem()));
    ok = ok && bio && PEM_write_bio_X509_REQ(bio.get(), req) == 1;
    X509_REQ_free(req);
    if (!ok) throw std::runtime_error("cannot make the certificate request: " + openssl_errors());
    return bio_text(bio.get());
}

std::shared_ptr<ClientCredential> with_certificate(const ClientCredential& c, const std::string& cert_pem,
                                                   const std::string& agent_id) {
    Bio bio(BIO_new_mem_buf(cert_pem.data(), int(cert_pem.size())));
    X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!cert) throw std::runtime_error("the central node's answer holds no PEM certificate");
    auto out = std::make_shared<ClientCredential>();
    out->cert = cert;
    EVP_PKEY_up_ref(c.key);
    out->key = c.key;
    if (X509_check_private_key(out->cert, out->key) != 1) {
        ERR_clear_error();
        throw std::runtime_error("the issued certificate is not for this agent's key");
    }
    fill_from_cert(*out);
    if (out->agent_id != agent_id)
        throw std::runtime_error("the issued certificate names agent \"" + out->agent_id + "\", not " + agent_id);
    return out;
}

std::shared_ptr<ClientCredential> load_credential(const std::string& path) {
    auto text = vigil::common::read_small_file(path, {.max_bytes = 64 * 1024, .nofollow = true});
    if (!text) return nullptr;
    Bio bio(BIO_new_mem_buf(text->data(), int(text->size())));
    auto c = std::make_shared<ClientCredential>();
    c->key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    c->cert = c->key ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!c->key || !c->cert) {
        ERR_clear_error();
        throw std::runtime_error(path + " does not hold a private key followed by its certificate");
    }
    if (X509_check_private_key(c->cert, c->key) != 1) {
        ERR_clear_error();
        throw std::runtime_error("the certificate in " + path + " is not for the key in it");
    }
    fill_from_cert(*c);
    return c;
}

void store_credential(const std::string& path, const ClientCredential& c) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), c.key, nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        (c.cert && PEM_write_bio_X509(bio.get(), c.cert) != 1))
        throw std::runtime_error("cannot encode the agent credential: " + openssl_errors());
    vigil::common::write_file_atomic(path, bio_text(bio.get()), {.mode = 0600});
}

}  // namespace vigil::kataedr
