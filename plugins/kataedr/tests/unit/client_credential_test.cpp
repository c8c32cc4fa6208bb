// The agent's credential: key made here, CSR for it, issued certificate checked (our key, our
// agent id), stored 0600 and loaded again.
#include "client_credential.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <ctime>
#include <fstream>

#include "vigil/testing/temp_dir.hpp"

using namespace vigil::kataedr;

namespace {

// Signs the CSR's key into a certificate naming `uri_id` (what the central's agent CA does).
std::string issue(const std::string& csr_pem, const std::string& uri_id, EVP_PKEY* ca_key) {
    BIO* in = BIO_new_mem_buf(csr_pem.data(), int(csr_pem.size()));
    X509_REQ* req = PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    REQUIRE(req);
    REQUIRE(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) == 1);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 4242);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3000);
    X509_set_pubkey(cert, X509_REQ_get0_pubkey(req));
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, ("URI:urn:vigil:agent:" + uri_id).c_str());
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(cert, ca_key, EVP_sha256());
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(out, cert);
    char* p = nullptr;
    long n = BIO_get_mem_data(out, &p);
    std::string pem(p, size_t(n));
    BIO_free(out);
    X509_free(cert);
    X509_REQ_free(req);
    return pem;
}

}  // namespace

TEST_CASE("client credential: CSR from a fresh key, issued certificate checked, stored 0600") {
    vigil::testing::TempDir dir;
    auto ca = new_key();
    auto key = new_key();
    std::string csr = make_csr(*key, "agent-1");
    CHECK(csr.find("BEGIN CERTIFICATE REQUEST") != std::string::npos);
    CHECK(csr.find("PRIVATE KEY") == std::string::npos);  // the key never leaves the host

    auto cred = with_certificate(*key, issue(csr, "agent-1", ca->key), "agent-1");
    CHECK(cred->agent_id == "agent-1");
    CHECK(cred->serial == "1092");  // 4242
    CHECK(cred->not_after_s - cred->not_before_s == 3000);
    CHECK(cred->renew_after_s() == cred->not_before_s + 2000);

    // Someone else's key, or another agent's name: refused.
    auto other = new_key();
    CHECK_THROWS_WITH_AS(with_certificate(*other, issue(csr, "agent-1", ca->key), "agent-1"),
                         doctest::Contains("not for this agent's key"), std::runtime_error);
    CHECK_THROWS_WITH_AS(with_certificate(*key, issue(csr, "agent-2", ca->key), "agent-1"),
                         doctest::Contains("names agent \"agent-2\""), std::runtime_error);
    CHECK_THROWS_AS(with_certificate(*key, "garbage", "agent-1"), std::runtime_error);

    std::string path = dir.path().string() + "/identity/agent.pem";
    std::filesystem::create_directories(dir.path() / "identity");
    store_credential(path, *cred);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto loaded = load_credential(path);
    REQUIRE(loaded);
    CHECK(loaded->agent_id == "agent-1");
    CHECK(loaded->serial == cred->serial);
    CHECK(EVP_PKEY_eq(loaded->key, key->key) == 1);

    CHECK_FALSE(load_credential(dir.path().string() + "/missing.pem"));
    std::ofstream(dir.path() / "bad.pem") << "not pem";
    CHECK_THROWS_AS(load_credential(dir.path().string() + "/bad.pem"), std::runtime_error);
}
