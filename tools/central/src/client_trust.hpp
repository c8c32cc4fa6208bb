#pragma once
// TLS setup of the central node's listener that does not depend on the HTTP library, so
// every server implementation calls the same code:
//  - the protocol/cipher policy (TLS 1.3; TLS 1.2 only with ECDHE key exchange and AEAD);
//  - client-certificate verification: the agent CA plus the optional shared client CA are
//    trusted, every client is asked for a certificate (required when configured), and an
//    agent certificate whose serial is revoked fails the handshake;
//  - the PeerIdentity of a verified client certificate.
#include <openssl/types.h>

#include <string>

#include "agent_ca.hpp"
#include "peer_identity.hpp"
#include "revocation.hpp"

namespace vigil::central {

// The default TLS 1.2 cipher list: forward secrecy and authenticated encryption only.
inline constexpr const char* kDefaultTls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";

// Sets the minimum protocol ("1.2" or "1.3") and the TLS 1.2 cipher list. Throws
// std::invalid_argument when the list is not understood or admits a cipher without ECDHE
// key exchange or without AEAD (named in the message).
void apply_tls_policy(SSL_CTX* ctx, const std::string& min_version, const std::string& tls12_ciphers);

struct ClientTrust {
    const AgentCa* agent_ca = nullptr;        // required
    const RevocationList* revoked = nullptr;  // required
    std::string shared_client_ca;             // PEM file of the KATA-style shared client CA, or ""
    bool require_certificate = false;         // refuse handshakes without a client certificate
};

// Configures client verification on a server context (see above) and turns off TLS session
// resumption, which would skip the revocation check. `trust` must outlive the context.
// Throws std::runtime_error when the shared client CA cannot be read.
void configure_client_verification(SSL_CTX* ctx, const ClientTrust& trust);

// The identity of a client certificate the TLS layer verified (nullptr: none presented).
PeerIdentity identify_peer(X509* cert, const AgentCa& ca, std::string remote_address);

}  // namespace vigil::central
