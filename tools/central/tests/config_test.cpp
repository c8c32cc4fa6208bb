// central.yaml loading: the shipped file, defaults, path resolution, errors that name the key.
#include "config.hpp"

#include <doctest/doctest.h>

#include <fstream>

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
    CHECK(c.api.operator_tokens.size() == 1);
    CHECK(c.cli.url == "https://127.0.0.1:8443");
    CHECK(c.cli.token == c.api.operator_tokens[0]);
    CHECK(c.tls.certificate == std::string(VIGIL_SOURCE_DIR) + "/build/demo/certs/server.crt");
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
    CHECK(c.api.operator_tokens.empty());
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
    fails_with(std::string(kMinimal) + "operators: {tokens: [short]}\n", "operators.tokens");
    // TLS 1.2 without forward secrecy or without AEAD is refused, naming the cipher.
    fails_with("tls: {certificate: a, private_key: b, ciphers: 'AES128-GCM-SHA256'}\n", "AES128-GCM-SHA256");
    fails_with("tls: {certificate: a, private_key: b, ciphers: 'ECDHE-RSA-AES128-SHA'}\n", "ECDHE-RSA-AES128-SHA");
    fails_with("tls: {certificate: a, private_key: b, ciphers: 'NOPE'}\n", "tls: ciphers");
    fails_with(std::string(kMinimal) + "limits: {max_body_bytes: lots}\n", "limits.max_body_bytes");
    fails_with("listen: [\n", "central.yaml");
}
