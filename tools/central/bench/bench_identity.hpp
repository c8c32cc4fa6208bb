#pragma once
// Agent identities for the central benchmarks, issued by the server's own agent CA as
// enrollment would hand them out (the server accepts nothing else as an agent): one key pair
// shared by every simulated agent, one certificate per agent id.
#include <openssl/types.h>

#include <memory>
#include <string>

namespace vigil::central {
class AgentCa;
}

namespace vigil::central::bench {

class BenchIdentity {
public:
    // Loads the CA in `ca_dir`, creating it when the server has not yet (the server then
    // loads the same one).
    explicit BenchIdentity(const std::string& ca_dir);
    ~BenchIdentity();
    BenchIdentity(const BenchIdentity&) = delete;
    BenchIdentity& operator=(const BenchIdentity&) = delete;

    EVP_PKEY* key() const { return key_; }  // borrowed
    // A certificate for `agent_id` (the caller frees it with X509_free).
    X509* issue(const std::string& agent_id) const;
    // The key and a certificate for `agent_id` as PEM files (for the Poco clients).
    void write_pem(const std::string& agent_id, const std::string& cert_path, const std::string& key_path) const;

private:
    std::unique_ptr<AgentCa> ca_;
    EVP_PKEY* key_ = nullptr;
    std::string csr_pem_;
};

}  // namespace vigil::central::bench
