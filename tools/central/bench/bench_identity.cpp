#include "bench_identity.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "agent_ca.hpp"

namespace vigil::central::bench {

BenchIdentity::BenchIdentity(const std::string& ca_dir) : ca_(AgentCa::load_or_create(ca_dir)) {
    key_ = EVP_EC_gen("P-256");
    X509_REQ* req = X509_REQ_new();
    BIO* bio = BIO_new(BIO_s_mem());
    if (!key_ || !req || !bio || X509_REQ_set_pubkey(req, key_) != 1 || X509_REQ_sign(req, key_, EVP_sha256()) <= 0 ||
        PEM_write_bio_X509_REQ(bio, req) != 1) {
        X509_REQ_free(req);
        BIO_free(bio);
        throw std::runtime_error("cannot make the bench agents' key and CSR");
    }
    char* p = nullptr;
    const long n = BIO_get_mem_data(bio, &p);
    csr_pem_.assign(p, static_cast<size_t>(n));
    BIO_free(bio);
    X509_REQ_free(req);
}

BenchIdentity::~BenchIdentity() { EVP_PKEY_free(key_); }

X509* BenchIdentity::issue(const std::string& agent_id) const {
    const auto issued = ca_->issue(csr_pem_, agent_id, 86400, std::time(nullptr));
    BIO* bio = BIO_new_mem_buf(issued.pem.data(), static_cast<int>(issued.pem.size()));
    X509* cert = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    if (!cert) throw std::runtime_error("cannot read the certificate issued for " + agent_id);
    return cert;
}

void BenchIdentity::write_pem(const std::string& agent_id, const std::string& cert_path,
                              const std::string& key_path) const {
    X509* cert = issue(agent_id);
    FILE* c = std::fopen(cert_path.c_str(), "w");
    FILE* k = std::fopen(key_path.c_str(), "w");
    const bool ok = c && k && PEM_write_X509(c, cert) == 1 &&
                    PEM_write_PrivateKey(k, key_, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (c) std::fclose(c);
    if (k) std::fclose(k);
    X509_free(cert);
    if (!ok) throw std::runtime_error("cannot write " + cert_path + " / " + key_path);
}

}  // namespace vigil::central::bench
