// The agent's own TLS client credential: a private key generated on this host (it never
// leaves it) and the certificate the central node's agent CA issued for it. Stored together
// in one PEM file (key, then certificate), mode 0600, replaced atomically, so a crash never
// leaves a key without its certificate.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace vigil::kataedr {

struct ClientCredential {
    ClientCredential() = default;
    ~ClientCredential();
    ClientCredential(const ClientCredential&) = delete;
    ClientCredential& operator=(const ClientCredential&) = delete;

    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;  // null while only the key exists (enrollment in progress)
    std::string agent_id;  // from the certificate's URI SAN urn:vigil:agent:<id>
    std::string serial;    // lower-case hex
    int64_t not_before_s = 0;
    int64_t not_after_s = 0;

    // 2/3 of the way through the certificate's life.
    int64_t renew_after_s() const { return not_before_s + (not_after_s - not_before_s) * 2 / 3; }
};

// A new ECDSA P-256 key (no certificate yet).
std::shared_ptr<ClientCredential> new_key();
// A PEM PKCS#10 request for the key, subject CN=<agent_id>, signed with the key.
std::string make_csr(const ClientCredential& c, const std::string& agent_id);
// The credential with `cert_pem` attached, after checking that the certificate is for this
// key and names `agent_id`. Throws std::runtime_error with the reason.
std::shared_ptr<ClientCredential> with_certificate(const ClientCredential& c, const std::string& cert_pem,
                                                   const std::string& agent_id);
// Reads a stored credential (key + certificate); nullptr when the file does not exist.
// Throws std::runtime_error when it exists but is unusable (named).
std::shared_ptr<ClientCredential> load_credential(const std::string& path);
// Writes key + certificate atomically, mode 0600.
void store_credential(const std::string& path, const ClientCredential& c);

}  // namespace vigil::kataedr
