// The encrypted connections scan's certificates: the CA (made, kept, loaded
// from the operator's files, refused with the reason), the site
// certificates minted from it (they verify against the CA for their name
// only), their cache, the settings and `web_threat.ca` on the plugin.
#include <doctest/doctest.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <vigil/json_reader.hpp>

#include "mitm_ca.hpp"
#include "mitm_leaf.hpp"
#include "settings.hpp"
#include "vigil/testing/host_settings.hpp"
#include "vigil/testing/plugin_fixture.hpp"
#include "vigil/testing/temp_dir.hpp"
#include "worker_config.hpp"

extern "C" VIGIL_DECLARE_PLUGIN_ENTRY;

using namespace vigil::web_threat;

namespace {

std::string refusal(const CaPem& pem) {
    try {
        (void)ca_from_pem(pem, "test CA");
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

// X509_verify_cert of `leaf` with `ca` as the only trust anchor, for `host`.
int verify(X509* leaf, X509* ca, const std::string& host) {
    std::unique_ptr<X509_STORE, OsslFree<X509_STORE, X509_STORE_free>> store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), ca);
    std::unique_ptr<X509_STORE_CTX, OsslFree<X509_STORE_CTX, X509_STORE_CTX_free>> ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
    X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), host.data(), host.size());
    X509_VERIFY_PARAM_set_purpose(X509_STORE_CTX_get0_param(ctx.get()), X509_PURPOSE_SSL_SERVER);
    return X509_verify_cert(ctx.get()) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
}

// Permission bits of a file (std::filesystem: no stat boilerplate).
unsigned mode_of(const std::filesystem::path& path) {
    return unsigned(std::filesystem::status(path).permissions()) & 07777u;
}

}  // namespace

TEST_CASE("mitm CA: made as an ECDSA P-256 CA, survives PEM, and is refused with the reason when wrong") {
    const MitmCa ca = generate_ca("Test", 30);
    CHECK(EVP_PKEY_get_id(ca.key.get()) == EVP_PKEY_EC);
    CHECK(EVP_PKEY_get_bits(ca.key.get()) == 256);
    CHECK(X509_check_ca(ca.cert.get()) >= 1);
    CHECK(seconds_left(ca.cert.get()) > 29 * 86400);
    const CaPem pem = to_pem(ca);
    CHECK(pem.cert.starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(refusal(pem).empty());
    CHECK(ca_fingerprint(ca_from_pem(pem, "x").cert.get()) == ca_fingerprint(ca.cert.get()));
    CHECK(ca_fingerprint(ca.cert.get()).size() == 7 + 32 * 3 - 1);

    CHECK(refusal({"junk", pem.key}).find("test CA: the certificate is not a PEM certificate") == 0);
    CHECK(refusal({pem.cert, "junk"}).find("the key is not an unencrypted PEM private key") != std::string::npos);
    const CaPem other = to_pem(generate_ca("Other", 30));
    CHECK(refusal({pem.cert, other.key}) == "test CA: the private key does not belong to the certificate");
    // A site certificate is no CA.
    LeafMinter minter(ca_from_pem(pem, "x"), 4);
    X509Ptr leaf = minter.mint("a.test");
    CHECK(refusal({pem_of(leaf.get()), pem_of_private_key(minter.key())}).find("is not a CA certificate") !=
          std::string::npos);
}

TEST_CASE("mitm CA: made once in the state directory (0600), kept, operator files checked") {
    vigil::testing::TempDir dir;
    bool made = false;
    const CaPem first = load_or_create_ca({"", "", dir.path().string()}, made);
    CHECK(made);
    CHECK(mode_of(dir.path() / "mitm_ca.key") == 0600);
    CHECK(mode_of(dir.path() / "mitm_ca.crt") == 0600);
    const CaPem again = load_or_create_ca({"", "", dir.path().string()}, made);
    CHECK_FALSE(made);
    CHECK(again.cert == first.cert);
    CHECK(again.key == first.key);

    // The operator's files: both or neither; the key readable by its owner alone.
    const std::string cert = dir.write("op/ca.crt", first.cert), key = dir.write("op/ca.key", first.key);
    ::chmod(key.c_str(), 0600);
    CHECK(load_or_create_ca({cert, key, ""}, made).key == first.key);
    CHECK_THROWS_WITH_AS(load_or_create_ca({cert, "", ""}, made), "mitm.ca_cert_file and mitm.ca_key_file: give both or neither",
                         std::runtime_error);
    ::chmod(key.c_str(), 0644);
    CHECK_THROWS_WITH_AS(load_or_create_ca({cert, key, ""}, made), doctest::Contains("mitm.ca_key_file: "),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(load_or_create_ca({cert + ".none", key, ""}, made), doctest::Contains("mitm.ca_cert_file"),
                         std::runtime_error);
    // A kept CA that was damaged is refused, not silently replaced (the
    // clients trust the old one).
    dir.write("mitm_ca.crt", "garbage");
    CHECK_THROWS_WITH_AS(load_or_create_ca({"", "", dir.path().string()}, made), doctest::Contains("the kept CA"),
                         std::runtime_error);
}

TEST_CASE("mitm leaf: a certificate per name, verifying against the CA for that name only, cached LRU") {
    const MitmCa ca = generate_ca("Test", 30);
    X509* ca_cert = ca.cert.get();
    LeafMinter minter(ca_from_pem(to_pem(ca), "x"), 2);
    X509Ptr a = minter.certificate("www.example.test");
    CHECK(verify(a.get(), ca_cert, "www.example.test") == X509_V_OK);
    CHECK(verify(a.get(), ca_cert, "other.test") == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK(X509_check_ca(a.get()) == 0);
    CHECK(EVP_PKEY_eq(X509_get0_pubkey(a.get()), minter.key()) == 1);
    // No earlier than the CA's end.
    CHECK(ASN1_TIME_compare(X509_get0_notAfter(a.get()), X509_get0_notAfter(ca_cert)) <= 0);
    // A name with characters OpenSSL's configuration syntax would read (",")
    // is taken literally.
    X509Ptr odd = minter.mint("x,DNS:evil.test");
    CHECK(verify(odd.get(), ca_cert, "evil.test") == X509_V_ERR_HOSTNAME_MISMATCH);

    CHECK(minter.certificate("www.example.test").get() == a.get());
    CHECK(minter.counters().hits == 1);
    CHECK(minter.counters().minted == 1);
    (void)minter.certificate("b.test");
    (void)minter.certificate("www.example.test");  // now the most recent
    (void)minter.certificate("c.test");             // evicts b.test
    auto c = minter.counters();
    CHECK(c.cached == 2);
    CHECK(c.evicted == 1);
    CHECK(minter.certificate("www.example.test").get() == a.get());
    (void)minter.certificate("b.test");
    CHECK(minter.counters().minted == 4);
}

TEST_CASE("mitm settings and worker config") {
    using vigil::testing::host_settings;
    const Settings d = parse_settings(host_settings(kSettingsSchema, "{}"));
    CHECK_FALSE(d.mitm.enabled);
    CHECK_FALSE(d.mitm.allow_untrusted);
    CHECK(d.mitm.exclude_on_error);
    const Settings s = parse_settings(host_settings(kSettingsSchema, R"({"mitm":{"enabled":true,
        "untrusted_certificate_action":"allow","scan_error_action":"block","excluded_domains":["*.bank.test"]}})"));
    CHECK(s.mitm.enabled);
    CHECK(s.mitm.allow_untrusted);
    CHECK_FALSE(s.mitm.exclude_on_error);
    CHECK(s.mitm.excluded_domains == std::vector<std::string>{"*.bank.test"});
    CHECK_THROWS_WITH_AS(parse_settings(R"({"mitm":{"ca_cert_file":"/x"}})"),
                         "web_threat: mitm.ca_cert_file and mitm.ca_key_file: give both or neither", SettingsError);
    CHECK_THROWS_WITH_AS(parse_settings(R"({"mitm":{"scan_error_action":"skip"}})"),
                         "web_threat: mitm.scan_error_action: expected add_to_exclusions or block", SettingsError);

    WorkerConfig c;
    c.mitm_ca_cert = "C";
    c.mitm_ca_key = "K";
    const WorkerConfig back = parse_worker_config(worker_config_json(c));
    CHECK(back.mitm_ca_cert == "C");
    CHECK(back.mitm_ca_key == "K");
    CHECK(parse_worker_config(worker_config_json(WorkerConfig{})).mitm_ca_key.empty());
}

TEST_CASE("web_threat.ca: the CA certificate once the scan is on; the reason otherwise") {
    // Interception on with a user that does not exist: the worker never
    // starts (no redirect on this host), the CA is still made.
    const char* on = R"({"worker_user":"vigil-no-such-user-x","block_doh":false,"mitm":{"enabled":true}})";
    vigil::testing::PluginFixture g(kSettingsSchema, "web_threat", on, vigil_plugin_entry);
    REQUIRE(g.created == VIGIL_OK);
    REQUIRE(g.host.start() == VIGIL_OK);
    auto r = g.host.command("web_threat.ca");
    REQUIRE(r.status == VIGIL_OK);
    const std::string pem = vigil::json::parse(r.result_json).as_string();
    CHECK(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    X509Ptr cert = certificate_from_pem(pem);
    REQUIRE(cert);
    CHECK(X509_check_ca(cert.get()) >= 1);
    CHECK(g.host.command("web_threat.ca", R"({"args":["x"]})").status == VIGIL_EINVAL);
    CHECK(g.host.stop() == VIGIL_OK);

    vigil::testing::PluginFixture off(kSettingsSchema, "web_threat", R"({"intercept":false,"block_doh":false})",
                                      vigil_plugin_entry);
    REQUIRE(off.host.start() == VIGIL_OK);
    r = off.host.command("web_threat.ca");
    CHECK(r.status == VIGIL_EDISABLED);
    CHECK(r.error.find("mitm.enabled: false") != std::string::npos);
    CHECK(off.host.stop() == VIGIL_OK);
}
