#include "client_trust.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <stdexcept>

#include "ossl.hpp"

namespace vigil::central {
namespace {

int trust_index() {
    static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}

// The chain is verified by OpenSSL (preverify_ok); on top of that the leaf of an agent
// certificate must not be revoked. Shared-CA certificates carry no identity to revoke.
int verify_client(int preverify_ok, X509_STORE_CTX* store) {
    if (!preverify_ok || X509_STORE_CTX_get_error_depth(store) != 0) return preverify_ok;
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const auto* trust =
        ssl ? static_cast<const ClientTrust*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), trust_index())) : nullptr;
    if (!trust) return preverify_ok;
    auto info = trust->agent_ca->identify(X509_STORE_CTX_get_current_cert(store));
    if (info && trust->revoked->revoked(info->serial)) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REVOKED);
        return 0;
    }
    return 1;
}

void trust_pem_file(SSL_CTX* ctx, const std::string& path) {
    ossl::Bio bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) throw std::runtime_error("cannot read client CA " + path + ": " + ossl::errors());
    int count = 0;
    while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), c);
        SSL_CTX_add_client_CA(ctx, c);
        X509_free(c);
        ++count;
    }
    ERR_clear_error();  // the loop ends on "no start line"
    if (count == 0) throw std::runtime_error("client CA " + path + " contains no PEM certificate");
}

}  // namespace

void apply_tls_policy(SSL_CTX* ctx, const std::string& min_version, const std::string& tls12_ciphers) {
    if (min_version != "1.2" && min_version != "1.3")
        throw std::invalid_argument("min_version must be \"1.2\" or \"1.3\", got \"" + min_version + "\"");
    SSL_CTX_set_min_proto_version(ctx, min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
    if (SSL_CTX_set_cipher_list(ctx, tls12_ciphers.c_str()) != 1) {
        ERR_clear_error();
        throw std::invalid_argument("ciphers: OpenSSL accepts no cipher from \"" + tls12_ciphers + "\"");
    }
    STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; list && i < sk_SSL_CIPHER_num(list); ++i) {
        const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
        if (SSL_CIPHER_get_kx_nid(c) == NID_kx_any) continue;  // TLS 1.3 suites: all AEAD + (EC)DHE
        if (SSL_CIPHER_get_kx_nid(c) != NID_kx_ecdhe || !SSL_CIPHER_is_aead(c))
            throw std::invalid_argument(std::string("ciphers: ") + SSL_CIPHER_get_name(c) +
                                        " lacks ECDHE key exchange or authenticated encryption "
                                        "(allowed: ECDHE with AES-GCM or ChaCha20-Poly1305)");
    }
}

void configure_client_verification(SSL_CTX* ctx, const ClientTrust& trust) {
    if (!trust.agent_ca || !trust.revoked) throw std::logic_error("ClientTrust needs the agent CA and revocations");
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), trust.agent_ca->certificate());
    SSL_CTX_add_client_CA(ctx, trust.agent_ca->certificate());
    ERR_clear_error();  // a duplicate certificate in the store is harmless
    if (!trust.shared_client_ca.empty()) trust_pem_file(ctx, trust.shared_client_ca);
    SSL_CTX_set_ex_data(ctx, trust_index(), const_cast<ClientTrust*>(&trust));
    int mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
    if (trust.require_certificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, &verify_client);
    // A resumed session skips certificate verification, and with it the revocation check.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
}

PeerIdentity identify_peer(X509* cert, const AgentCa& ca, std::string remote_address) {
    PeerIdentity p;
    p.remote_address = std::move(remote_address);
    if (!cert) return p;
    p.client_cert = true;
    p.serial = serial_hex(cert);
    p.not_after_s = not_after_seconds(cert);
    if (auto info = ca.identify(cert)) {
        p.agent_cert = true;
        p.agent_id = info->agent_id;
    }
    return p;
}

}  // namespace vigil::central
