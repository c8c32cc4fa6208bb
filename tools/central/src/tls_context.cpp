#include "tls_context.hpp"

#include <openssl/err.h>

#include <stdexcept>
#include <string>

namespace vigil::central {
namespace {

[[noreturn]] void fail(const std::string& what) {
    unsigned long e = ERR_get_error();
    char reason[256] = "unknown error";
    if (e) ERR_error_string_n(e, reason, sizeof reason);
    ERR_clear_error();
    throw std::runtime_error(what + ": " + reason);
}

}  // namespace

SslCtxPtr make_server_tls(const TlsSettings& tls, const ClientTrust& trust) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) fail("cannot create the TLS context");
    SSL_CTX* c = ctx.get();
    // No renegotiation (a cheap way to make the server do handshake work); a peer that
    // closes without close_notify simply ends the stream (HTTP frames its own bodies).
    SSL_CTX_set_options(
        c, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(c, tls.certificate.c_str()) != 1)
        fail("tls.certificate " + tls.certificate);
    if (SSL_CTX_use_PrivateKey_file(c, tls.private_key.c_str(), SSL_FILETYPE_PEM) != 1)
        fail("tls.private_key " + tls.private_key);
    if (SSL_CTX_check_private_key(c) != 1) fail("tls.private_key does not match tls.certificate");
    apply_tls_policy(c, tls.min_version, tls.ciphers);
    configure_client_verification(c, trust);
    return ctx;
}

}  // namespace vigil::central
