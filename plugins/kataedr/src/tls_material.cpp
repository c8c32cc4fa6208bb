#include "tls_material.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <vigil/common/small_file.hpp>

#include "vigil/common/openssl_errors.hpp"
#include "vigil/common/trusted_path.hpp"

namespace vigil::kataedr {
namespace {

thread_local std::string t_verify_failure;

// The queued OpenSSL errors ("" when none: the messages add their own context).
std::string openssl_errors() { return vigil::common::openssl_errors(""); }

std::string subject_of(X509* cert) {
    if (!cert) return {};
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
    return buf;
}

int ex_index() {
    static int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}

// Records why verification failed (for the status), and enforces the pin.
int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const TlsMaterial* m =
        ssl ? static_cast<const TlsMaterial*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_index()))
            : nullptr;
    int depth = X509_STORE_CTX_get_error_depth(store);
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    if (m && m->pinned()) {
        // Pin: only the leaf decides; it must equal a configured certificate.
        if (depth > 0) return 1;
        bool match = false;
        X509_STORE* trust = X509_STORE_CTX_get0_store(store);
        STACK_OF(X509_OBJECT)* objs = X509_STORE_get0_objects(trust);
        for (int i = 0; objs && i < sk_X509_OBJECT_num(objs); ++i) {
            X509* pinned = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
            if (pinned && X509_cmp(pinned, cert) == 0) match = true;
        }
        if (!match) {
            t_verify_failure = "server certificate does not match the pinned certificate (server presented " +
                               subject_of(cert) + ")";
            return 0;
        }
        X509_STORE_CTX_set_error(store, X509_V_OK);
        return 1;
    }
    if (!preverify_ok) {
        int err = X509_STORE_CTX_get_error(store);
        t_verify_failure = std::string("server certificate rejected: ") + X509_verify_cert_error_string(err) +
                           " (depth " + std::to_string(depth) + ", " + subject_of(cert) + ")";
    }
    return preverify_ok;
}

// Whom the agent trusts and who it claims to be: files only root controls.
void require_trusted(const char* setting, const std::string& path) {
    try {
        (void)vigil::common::require_trusted_path(path, setting, vigil::common::PathKind::file);
    } catch (const vigil::common::UntrustedPath& e) {
        throw std::runtime_error(std::string("kataedr.") + e.what());
    }
}

std::vector<X509*> read_pem_certificates(const std::string& path) {
    require_trusted("server_ca", path);
    BIO* bio = BIO_new_file(path.c_str(), "r");
    if (!bio) throw std::runtime_error("kataedr.server_ca: cannot read " + path + ": " + openssl_errors());
    std::vector<X509*> certs;
    while (X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) certs.push_back(c);
    ERR_clear_error();  // the loop ends with a "no start line" error
    BIO_free(bio);
    if (certs.empty())
        throw std::runtime_error("kataedr.server_ca: " + path + " contains no PEM certificate");
    return certs;
}

}  // namespace

std::shared_ptr<const TlsMaterial> TlsMaterial::load(const Settings& s) {
    std::shared_ptr<TlsMaterial> m(new TlsMaterial);
    m->trusted_ = read_pem_certificates(s.server_ca);
    m->trust_file_ = s.server_ca;
    m->pinned_ = true;
    for (X509* c : m->trusted_)
        if (X509_check_ca(c) > 0) m->pinned_ = false;

    if (s.mutual_auth) {
        std::string password;
        if (!s.client_p12_password_file.empty()) {
            require_trusted("client_p12_password_file", s.client_p12_password_file);
            auto text = vigil::common::read_small_file(s.client_p12_password_file, {.max_bytes = 4096});
            if (!text)
                throw std::runtime_error("kataedr.client_p12_password_file: " + s.client_p12_password_file +
                                         " does not exist");
            password = *text;
            while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
                password.pop_back();
        }
        require_trusted("client_p12", s.client_p12);
        BIO* bio = BIO_new_file(s.client_p12.c_str(), "rb");
        if (!bio)
            throw std::runtime_error("kataedr.client_p12: cannot read " + s.client_p12 + ": " +
                                     openssl_errors());
        PKCS12* p12 = d2i_PKCS12_bio(bio, nullptr);
        BIO_free(bio);
        if (!p12)
            throw std::runtime_error("kataedr.client_p12: " + s.client_p12 +
                                     " is not a PKCS#12 container: " + openssl_errors());
        if (!PKCS12_verify_mac(p12, password.c_str(), int(password.size()))) {
            PKCS12_free(p12);
            ERR_clear_error();
            throw std::runtime_error("kataedr.client_p12: wrong password for " + s.client_p12 +
                                     " (password taken from " +
                                     (s.client_p12_password_file.empty() ? std::string("<none configured>")
                                                                         : s.client_p12_password_file) +
                                     "): PKCS#12 MAC verification failed");
        }
        STACK_OF(X509)* ca = nullptr;
        int ok = PKCS12_parse(p12, password.c_str(), &m->client_key_, &m->client_cert_, &ca);
        PKCS12_free(p12);
        if (!ok || !m->client_cert_ || !m->client_key_) {
            std::string why = openssl_errors();
            if (ca) sk_X509_pop_free(ca, X509_free);
            throw std::runtime_error("kataedr.client_p12: cannot decode " + s.client_p12 +
                                     " (needs a certificate and its private key): " + why);
        }
        for (int i = 0; ca && i < sk_X509_num(ca); ++i) m->client_chain_.push_back(sk_X509_value(ca, i));
        if (ca) sk_X509_free(ca);  // the certificates are now owned by client_chain_
        if (X509_check_private_key(m->client_cert_, m->client_key_) != 1)
            throw std::runtime_error("kataedr.client_p12: the private key in " + s.client_p12 +
                                     " does not belong to its certificate");
    }
    return m;
}

TlsMaterial::~TlsMaterial() {
    for (X509* c : trusted_) X509_free(c);
    for (X509* c : client_chain_) X509_free(c);
    if (client_cert_) X509_free(client_cert_);
    if (client_key_) EVP_PKEY_free(client_key_);
}

std::string TlsMaterial::client_subject() const { return subject_of(client_cert_); }

std::string TlsMaterial::hint_for(const std::string& e) const {
    auto has = [&](const char* s) { return e.find(s) != std::string::npos; };
    if (has("certificate required") || has("alert handshake failure") || has("alert bad certificate") ||
        has("unknown ca") || has("alert certificate unknown")) {
        if (!client_cert_) return "the server requires a client certificate: set mutual_auth with client_p12";
        return "the server refused the client certificate " + client_subject() +
               " from the PKCS#12 container";
    }
    if (has("certificate verify failed") || has("server certificate"))
        return pinned_ ? "the server's certificate must equal the one pinned in " + trust_file_
                       : "the server's certificate must chain to the CA in " + trust_file_ +
                             " and name the server";
    if (has("wrong version number") || has("unsupported protocol"))
        return "is the server speaking TLS 1.2 or newer on this port?";
    return {};
}

void TlsMaterial::configure(SSL_CTX* ctx, const std::string& server_host, const ClientCredential* own) const {
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)
        throw std::runtime_error("kataedr: OpenSSL refuses the cipher list: " + openssl_errors());
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    for (X509* c : trusted_) X509_STORE_add_cert(store, c);  // takes its own reference
    ERR_clear_error();                                       // duplicates are harmless
    SSL_CTX_set_ex_data(ctx, ex_index(), const_cast<TlsMaterial*>(this));
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    if (pinned_) {
        // The pinned leaf itself is the trust anchor.
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    } else {
        in6_addr a6{};
        in_addr a4{};
        if (inet_pton(AF_INET, server_host.c_str(), &a4) == 1 ||
            inet_pton(AF_INET6, server_host.c_str(), &a6) == 1)
            X509_VERIFY_PARAM_set1_ip_asc(param, server_host.c_str());
        else
            X509_VERIFY_PARAM_set1_host(param, server_host.c_str(), server_host.size());
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &verify_callback);
    if (own && own->cert) {
        if (SSL_CTX_use_certificate(ctx, own->cert) != 1 || SSL_CTX_use_PrivateKey(ctx, own->key) != 1)
            throw std::runtime_error("kataedr: cannot use the agent certificate: " + openssl_errors());
    } else if (client_cert_) {
        if (SSL_CTX_use_certificate(ctx, client_cert_) != 1 || SSL_CTX_use_PrivateKey(ctx, client_key_) != 1)
            throw std::runtime_error("kataedr: cannot use the client certificate: " + openssl_errors());
        for (X509* c : client_chain_) SSL_CTX_add1_chain_cert(ctx, c);
    }
}

std::string TlsMaterial::last_verify_failure() { return t_verify_failure; }
void TlsMaterial::clear_verify_failure() { t_verify_failure.clear(); }

}  // namespace vigil::kataedr
