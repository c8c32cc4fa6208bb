// The agent CA: creation and reload with private permissions, issuing from CSRs, refusing
// bad CSRs, recognising only its own certificates; and the TLS policy check.
#include "agent_ca.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "client_trust.hpp"
#include "test_support.hpp"
#include "tls_test_util.hpp"

using namespace vigil::central;

namespace {

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("agent CA: created private on first use, loaded again, refused when exposed") {
    central_test::TempDir dir;
    std::string ca_dir = dir.path + "/state/agent-ca";
    std::string serial;
    {
        auto ca = AgentCa::load_or_create(ca_dir);
        CHECK(mode_of(ca_dir) == 0700);
        CHECK(mode_of(ca_dir + "/agent-ca.key") == 0600);
        CHECK(ca->certificate_pem().find("BEGIN CERTIFICATE") != std::string::npos);
        CHECK(X509_check_ca(ca->certificate()) > 0);
        serial = serial_hex(ca->certificate());
    }
    auto again = AgentCa::load_or_create(ca_dir);
    CHECK(serial_hex(again->certificate()) == serial);  // the same CA, not a new one

    ::chmod((ca_dir + "/agent-ca.key").c_str(), 0640);
    CHECK_THROWS_WITH_AS(AgentCa::load_or_create(ca_dir), doctest::Contains("chmod 600"), std::runtime_error);
    ::chmod((ca_dir + "/agent-ca.key").c_str(), 0600);
    std::filesystem::remove(ca_dir + "/agent-ca.crt");
    CHECK_THROWS_WITH_AS(AgentCa::load_or_create(ca_dir), doctest::Contains("agent-ca.crt is missing"),
                         std::runtime_error);
}

TEST_CASE("agent CA: issues a client certificate naming the agent, recognises only its own") {
    central_test::TempDir dir;
    auto ca = AgentCa::load_or_create(dir.path + "/ca");
    auto other = AgentCa::load_or_create(dir.path + "/other");
    auto key = tls_test::new_ec_key();
    const int64_t now = 1800000000;
    IssuedCertificate issued = ca->issue(tls_test::csr_pem(key.get(), "ignored-subject"), "agent-1", 86400, now);
    CHECK(issued.not_after_s == now + 86400);
    auto cert = tls_test::parse_cert(issued.pem);
    auto info = ca->identify(cert.get());
    REQUIRE(info);
    CHECK(info->agent_id == "agent-1");
    CHECK(info->serial == issued.serial);
    CHECK(issued.serial.size() == 32);
    CHECK_FALSE(other->identify(cert.get()));  // another CA's certificate carries no identity here
    CHECK(X509_check_private_key(cert.get(), key.get()) == 1);  // the agent's key, not one we made

    auto again = ca->issue(tls_test::csr_pem(key.get(), "x"), "agent-1", 86400, now);
    CHECK(again.serial != issued.serial);
    PeerIdentity p = identify_peer(cert.get(), *ca, "192.0.2.1");
    CHECK(p.client_cert);
    CHECK(p.agent_cert);
    CHECK(p.agent_id == "agent-1");
    CHECK(p.remote_address == "192.0.2.1");
    PeerIdentity foreign = identify_peer(cert.get(), *other, "192.0.2.1");
    CHECK(foreign.client_cert);
    CHECK_FALSE(foreign.agent_cert);
}

TEST_CASE("agent CA: bad CSRs and ids are refused with the reason") {
    central_test::TempDir dir;
    auto ca = AgentCa::load_or_create(dir.path + "/ca");
    auto key = tls_test::new_ec_key();
    std::string csr = tls_test::csr_pem(key.get(), "x");
    auto refuses = [&](const std::string& pem, const std::string& id, const char* why) {
        CHECK_THROWS_WITH_AS(ca->issue(pem, id, 3600, 1800000000), doctest::Contains(why), std::invalid_argument);
    };
    refuses("not a csr", "a", "not a PEM certificate request");
    refuses(csr, "../etc", "agent_id");
    refuses(csr, "", "agent_id");
    // A CSR whose signature does not match its content (the subject was changed after signing).
    std::string tampered = tls_test::tampered_csr_pem(key.get());
    refuses(tampered, "a", "signature");
    auto weak = tls_test::new_rsa_key(1024);
    refuses(tls_test::csr_pem(weak.get(), "x"), "a", "RSA key of 1024 bits");
}

TEST_CASE("TLS policy: TLS 1.2 only with ECDHE and AEAD") {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    CHECK_NOTHROW(apply_tls_policy(ctx, "1.2", kDefaultTls12Ciphers));
    CHECK(SSL_CTX_get_min_proto_version(ctx) == TLS1_2_VERSION);
    CHECK_NOTHROW(apply_tls_policy(ctx, "1.3", kDefaultTls12Ciphers));
    CHECK(SSL_CTX_get_min_proto_version(ctx) == TLS1_3_VERSION);
    CHECK_THROWS_AS(apply_tls_policy(ctx, "1.1", kDefaultTls12Ciphers), std::invalid_argument);
    CHECK_THROWS_WITH_AS(apply_tls_policy(ctx, "1.2", "HIGH"), doctest::Contains("lacks ECDHE"),
                         std::invalid_argument);
    SSL_CTX_free(ctx);
}
