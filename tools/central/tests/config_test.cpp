// central.yaml loading: the shipped file, defaults, path resolution, errors that name the key.
#include "config.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "auth_tokens.hpp"

#include "test_support.hpp"

using namespace vigil::central;

namespace {
std::string write(const std::string& dir, const std::string& text) {
    std::string path = dir + "/central.yaml";
    std::ofstream(path) << text;
    return path;
}
constexpr const char* kMinimal = "tls: {certificate: s.crt, private_key: s.key}\n";
}  // namespace

TEST_CASE("the shipped configs/central.yaml loads with the documented values") {
    auto c = load_config(std::string(VIGIL_SOURCE_DIR) + "/configs/central.yaml");
    CHECK(c.server.address == "127.0.0.1");
    CHECK(c.server.port == 8443);
    CHECK(c.tls.min_version == "1.2");
    CHECK(c.api.max_body_bytes == 1 << 20);
    CHECK(c.api.max_telemetry_bytes == 64ull << 20);
    CHECK(c.api.long_poll_max_s == 60);
    CHECK(c.api.operators.empty());  // no usable token ships in the repository
    CHECK(c.cli.url == "https://127.0.0.1:8443");
    CHECK(c.cli.token_file.empty());
    CHECK(c.api.agent_cert_lifetime_s == 30 * 86400);
    CHECK(c.tls.certificate == std::string(VIGIL_SOURCE_DIR) + "/build/demo/certs/server.crt");
}

TEST_CASE("the packaged central.yaml loads, ships no token and keeps the agent CA in the state dir") {
    auto c = load_config(std::string(VIGIL_SOURCE_DIR) + "/packaging/debian/central.yaml");
    CHECK(c.api.operators.empty());
    CHECK(c.cli.token_file.empty());
    CHECK(c.agent_ca_dir == "/var/lib/vigil-central/agent-ca");
    CHECK(c.database == "/var/lib/vigil-central/central.db");
}

TEST_CASE("defaults and relative paths") {
    central_test::TempDir dir;
    auto c = load_config(write(dir.path, kMinimal));
    CHECK(c.tls.certificate == dir.path + "/s.crt");
    CHECK(c.database == dir.path + "/central.db");
    CHECK(c.files_dir == dir.path + "/files");
    CHECK(c.agent_ca_dir == dir.path + "/agent-ca");
    CHECK(c.tls.ciphers == "ECDHE+AESGCM:ECDHE+CHACHA20");
    CHECK(c.server.port == 8443);
    CHECK_FALSE(c.tls.require_client_certificate);
    CHECK(c.api.operators.empty());
    CHECK(c.cache_mib == 16);
    CHECK(load_config(write(dir.path, std::string(kMinimal) + "storage: {cache_mib: 64}\n")).cache_mib == 64);
}

TEST_CASE("bad settings are errors naming the key") {
    central_test::TempDir dir;
    auto fails_with = [&](const std::string& text, const std::string& needle) {
        CHECK_THROWS_WITH_AS(load_config(write(dir.path, text)), doctest::Contains(needle.c_str()),
                             std::runtime_error);
    };
    fails_with(std::string(kMinimal) + "listen: {port: 70000}\n", "listen.port");
    fails_with(std::string(kMinimal) + "listen: {prot: 1}\n", "listen.prot: unknown setting");
    fails_with(std::string(kMinimal) + "tls2: {}\n", "tls2: unknown setting");
    fails_with("tls: {certificate: s.crt}\n", "private_key");
    fails_with(std::string("tls: {certificate: a, private_key: b, min_version: '1.1'}\n"), "tls.min_version");
    fails_with(std::string("tls: {certificate: a, private_key: b, require_client_certificate: true}\n"),
               "tls.client_ca");
    fails_with(std::string(kMinimal) + "operators: {tokens: [short]}\n", "plain tokens are not accepted");
    fails_with(std::string(kMinimal) + "operators: {tokens: [{name: a, token: vigil-demo-operator-token-change-me}]}\n",
               "plain tokens are not accepted");
    fails_with(std::string(kMinimal) + "operators: {tokens: [{name: a, role: god, token_sha256: x}]}\n",
               "operators.tokens[].role");
    fails_with(std::string(kMinimal) + "operators: {tokens: [{name: a, token_sha256: abc}]}\n", "64 lower-case hex");
    // TLS 1.2 without forward secrecy or without AEAD is refused, naming the cipher.
    fails_with("tls: {certificate: a, private_key: b, ciphers: 'AES128-GCM-SHA256'}\n", "AES128-GCM-SHA256");
    fails_with("tls: {certificate: a, private_key: b, ciphers: 'ECDHE-RSA-AES128-SHA'}\n", "ECDHE-RSA-AES128-SHA");
    fails_with("tls: {certificate: a, private_key: b, ciphers: 'NOPE'}\n", "tls: ciphers");
    fails_with(std::string(kMinimal) + "limits: {max_body_bytes: lots}\n", "limits.max_body_bytes");
    fails_with(std::string(kMinimal) + "storage: {cache_mib: 0}\n", "storage.cache_mib");
    fails_with("listen: [\n", "central.yaml");
}

TEST_CASE("operator token files: owner-only, at least 128 bits of randomness, stored as a hash") {
    central_test::TempDir dir;
    auto token_file = [&](const std::string& name, const std::string& token, mode_t mode) {
        std::string path = dir.path + "/" + name;
        std::ofstream(path) << token << "\n";
        ::chmod(path.c_str(), mode);
        return path;
    };
    auto config_with = [&](const std::string& file) {
        return write(dir.path, std::string(kMinimal) + "operators: {tokens: [{name: ops, role: responder, token_file: " +
                                   file + "}]}\n");
    };
    const std::string good = new_secret_token("vgo_");
    auto c = load_config(config_with(token_file("good", good, 0600)));
    REQUIRE(c.api.operators.size() == 1);
    CHECK(c.api.operators[0].role == Role::responder);
    CHECK(c.api.operators[0].token_sha256 == token_hash(good));
    CHECK(c.cli.token_file == dir.path + "/good");
    CHECK_THROWS_WITH_AS(load_config(config_with(token_file("open", good, 0644))), doctest::Contains("chmod 600"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(load_config(config_with(token_file("demo", "vigil-demo-operator-token-change-me", 0600))),
                         doctest::Contains("bits of randomness"), std::runtime_error);
}

TEST_CASE("storage.engine postgresql: url required, no password in it, keys of one engine only") {
    central_test::TempDir dir;
    auto load = [&](const std::string& storage) {
        return load_config(write(dir.path, std::string(kMinimal) + "storage: " + storage + "\n"));
    };
    auto c = load("{engine: postgresql, url: 'postgresql://vigil@db/vigil', password_file: pg.pass, retention_days: 7}");
    CHECK(c.storage.engine == "postgresql");
    CHECK(c.storage.url == "postgresql://vigil@db/vigil");
    CHECK(c.storage.password_file == dir.path + "/pg.pass");
    CHECK(c.storage.retention_days == 7);
    CHECK_FALSE(c.api.batch.gather_text);  // no word index on PostgreSQL: no text gathered
    CHECK(c.storage.connections == 8);
    CHECK(c.api.database_path.empty());  // no SQLite file to measure
    CHECK(load("{}").storage.engine == "sqlite");
    auto fails = [&](const std::string& storage, const char* needle) {
        CHECK_THROWS_WITH_AS(load(storage), doctest::Contains(needle), std::runtime_error);
    };
    fails("{engine: postgresql}", "storage.url: is required");
    fails("{engine: postgresql, url: 'postgresql://vigil:secret@db/vigil'}", "storage.url: must not contain a password");
    fails("{engine: postgresql, url: 'host=db password=secret'}", "storage.url: must not contain a password");
    fails("{engine: postgresql, url: 'host=db nonsense'}", "storage.url: cannot be parsed");
    fails("{engine: postgresql, url: 'host=db', cache_mib: 8}", "storage.cache_mib: applies to engine sqlite only");
    fails("{engine: mysql}", "storage.engine: must be sqlite or postgresql");
    fails("{url: 'host=db'}", "storage.url: applies to engine postgresql only");
    fails("{engine: postgresql, url: 'host=db', connections: 0}", "storage.connections");
    fails("{engine: postgresql, url: 'host=db', max_database_gb: 5}", "storage.max_database_gb: applies to engine sqlite only");
    fails("{max_database_gb: -1}", "storage.max_database_gb: must be in 0..1000000");
    fails("{retention_check_s: 0}", "storage.retention_check_s");
    auto lite = load("{retention_days: 30, max_database_gb: 2.5, retention_check_s: 10}");
    CHECK(lite.storage.retention_days == 30);
    CHECK(lite.storage.max_database_gb == doctest::Approx(2.5));
    CHECK(lite.storage.retention_check_s == 10);
    CHECK(lite.api.batch.gather_text);
}
