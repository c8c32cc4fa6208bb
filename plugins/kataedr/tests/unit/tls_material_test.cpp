#include "tls_material.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_util.hpp"

using namespace vigil::kataedr;
using kataedr_test::TempDir;

namespace {

// Real certificates from the openssl CLI: a CA, a leaf it signed, and a
// password-protected PKCS#12 client container.
struct Certs {
    TempDir dir;
    std::string d;
    Certs() : d(dir.str()) {
        std::string cmd =
            "cd '" + d +
            "' && "
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=TestCA "
            "  -addext basicConstraints=critical,CA:TRUE >/dev/null 2>&1 && "
            "openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=client >/dev/null "
            "2>&1 && "
            "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 2 "
            "  >/dev/null 2>&1 && "
            "openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile ca.pem -out client.p12 "
            "  -passout pass:secret >/dev/null 2>&1 && "
            "printf 'secret\\n' > pw && printf 'wrong\\n' > badpw && echo junk > junk.pem";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
};

Settings base(const std::string& ca) {
    Settings s;
    s.server_ca = ca;
    return s;
}

}  // namespace

TEST_CASE("tls: a CA file means chain verification, a leaf means pinning") {
    Certs c;
    CHECK_FALSE(TlsMaterial::load(base(c.d + "/ca.pem"))->pinned());
    CHECK(TlsMaterial::load(base(c.d + "/leaf.pem"))->pinned());
}

TEST_CASE("tls: missing or empty trust file is a clear error") {
    Certs c;
    CHECK_THROWS_WITH(TlsMaterial::load(base(c.d + "/nope.pem")), doctest::Contains("kataedr.server_ca"));
    CHECK_THROWS_WITH(TlsMaterial::load(base(c.d + "/junk.pem")), doctest::Contains("no PEM certificate"));
}

TEST_CASE("tls: PKCS#12 client container with right and wrong password") {
    Certs c;
    Settings s = base(c.d + "/ca.pem");
    s.mutual_auth = true;
    s.client_p12 = c.d + "/client.p12";
    s.client_p12_password_file = c.d + "/pw";
    auto m = TlsMaterial::load(s);
    CHECK(m->has_client_certificate());
    CHECK(m->client_subject().find("client") != std::string::npos);
    s.client_p12_password_file = c.d + "/badpw";
    CHECK_THROWS_WITH(TlsMaterial::load(s), doctest::Contains("wrong password"));
    s.client_p12_password_file = c.d + "/missing";
    CHECK_THROWS_WITH(TlsMaterial::load(s), doctest::Contains("client_p12_password_file"));
    s.client_p12_password_file = c.d + "/pw";
    s.client_p12 = c.d + "/ca.pem";
    CHECK_THROWS_WITH(TlsMaterial::load(s), doctest::Contains("not a PKCS#12"));
}

TEST_CASE("tls: failure texts get an operator hint") {
    Certs c;
    auto ca = TlsMaterial::load(base(c.d + "/ca.pem"));
    CHECK(ca->hint_for("tlsv13 alert certificate required").find("mutual_auth") != std::string::npos);
    CHECK(ca->hint_for("server certificate rejected: x").find("chain to the CA in " + c.d + "/ca.pem") !=
          std::string::npos);
    auto pin = TlsMaterial::load(base(c.d + "/leaf.pem"));
    CHECK(pin->hint_for("certificate verify failed").find("pinned") != std::string::npos);
    CHECK(ca->hint_for("connection reset").empty());
}
