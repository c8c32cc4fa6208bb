// TLS trust and identity of the connector, loaded once at start so every
// mistake (missing CA file, no certificate in it, unreadable PKCS#12, wrong
// password) is a clear error before anything is sent.
//
// server_ca holds PEM certificates. When any of them is a CA certificate the
// server's chain must verify against them (and the certificate must name the
// host or IP address of the server URL). When none is a CA the file is a pin:
// the server's leaf certificate must be byte-for-byte one of them.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "client_credential.hpp"
#include "settings.hpp"

namespace vigil::kataedr {

// TLS 1.2 ciphers the connector offers: forward secrecy and authenticated encryption only.
inline constexpr const char* kTls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";

class TlsMaterial {
public:
    // Throws std::runtime_error with the reason.
    static std::shared_ptr<const TlsMaterial> load(const Settings& s);
    ~TlsMaterial();

    bool pinned() const { return pinned_; }
    bool has_client_certificate() const { return client_cert_ != nullptr; }
    std::string client_subject() const;
    const std::string& trust_file() const { return trust_file_; }
    // Explains a TLS failure text from OpenSSL/Poco for an operator (what to
    // check), or returns empty when there is nothing to add.
    std::string hint_for(const std::string& tls_error) const;

    // Configures an OpenSSL client context for one server: TLS >= 1.2 (1.2 with ECDHE + AEAD
    // only), trust/pin, host check, and the client certificate: the agent's own (`own`, once
    // enrolled) or else the shared one from client_p12 when mutual_auth.
    void configure(SSL_CTX* ctx, const std::string& server_host, const ClientCredential* own = nullptr) const;

    // The reason the last certificate verification failed on this thread
    // (the OpenSSL text plus the certificate subject), or empty.
    static std::string last_verify_failure();
    static void clear_verify_failure();

private:
    TlsMaterial() = default;
    bool pinned_ = false;
    std::string trust_file_;
    std::vector<X509*> trusted_;
    X509* client_cert_ = nullptr;
    EVP_PKEY* client_key_ = nullptr;
    std::vector<X509*> client_chain_;
};

}  // namespace vigil::kataedr
