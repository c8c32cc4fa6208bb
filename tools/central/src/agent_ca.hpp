#pragma once
// The central node's own agent CA: it issues each enrolled agent a client certificate for
// its agent id (from the agent's CSR; the agent's private key never leaves the host) and
// recognises those certificates again on later connections. ECDSA P-256, created on the
// first `serve` in its directory (key 0600, directory 0700). Server-independent: OpenSSL only.
#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::central {

struct IssuedCertificate {
    std::string pem;
    std::string serial;  // lower-case hex
    int64_t not_before_s = 0;
    int64_t not_after_s = 0;
};

struct AgentCertInfo {
    std::string agent_id;
    std::string serial;
    int64_t not_after_s = 0;
};

// The URI SAN that names an agent in its certificate.
std::string agent_uri(std::string_view agent_id);

class AgentCa {
public:
    // Loads agent-ca.key / agent-ca.crt from `dir`, creating both when neither exists.
    // Throws std::runtime_error naming the file: one of the two missing, a key readable by
    // group or others, a key that does not belong to the certificate.
    static std::unique_ptr<AgentCa> load_or_create(const std::string& dir);
    ~AgentCa();
    AgentCa(const AgentCa&) = delete;
    AgentCa& operator=(const AgentCa&) = delete;

    const std::string& certificate_pem() const { return cert_pem_; }
    X509* certificate() const { return cert_; }  // borrowed
    const std::string& certificate_path() const { return cert_path_; }

    // Checks the CSR (PEM PKCS#10: self-signature, key EC P-256/P-384, Ed25519 or RSA >= 2048)
    // and issues a clientAuth certificate for `agent_id` valid for `lifetime_s` from `now_s`.
    // Throws std::invalid_argument with the reason for a bad CSR.
    IssuedCertificate issue(std::string_view csr_pem, const std::string& agent_id, int64_t lifetime_s,
                            int64_t now_s) const;

    // The identity in `cert` when this CA signed it and it names exactly one agent.
    std::optional<AgentCertInfo> identify(X509* cert) const;

private:
    AgentCa() = default;
    void create(const std::string& key_path, const std::string& cert_path);
    void load(const std::string& key_path, const std::string& cert_path);

    EVP_PKEY* key_ = nullptr;
    X509* cert_ = nullptr;
    std::string cert_pem_;
    std::string cert_path_;
    mutable std::mutex sign_mutex_;
};

// Helpers shared with the trust code and the tests.
std::string serial_hex(const X509* cert);
int64_t not_after_seconds(const X509* cert);

}  // namespace vigil::central
