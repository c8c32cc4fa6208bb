#pragma once
// The OpenSSL server context of the event-driven listener: the server certificate and key,
// then the shared policy of client_trust.hpp (protocol floor, TLS 1.2 ciphers, agent CA +
// shared client CA, revocation at the handshake, no resumption).
#include <openssl/ssl.h>

#include <memory>

#include "client_trust.hpp"
#include "config.hpp"

namespace vigil::central {

struct SslCtxFree {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// `trust` must outlive the context. Throws std::runtime_error (or std::invalid_argument for
// the policy) naming the file and OpenSSL's reason: missing or mismatched certificate/key,
// unreadable CA, bad cipher list.
SslCtxPtr make_server_tls(const TlsSettings& tls, const ClientTrust& trust);

}  // namespace vigil::central
