// ClientHello parsing: SNI, ALPN and ECH from hellos built here the way
// clients build them (TLS 1.3 with a ~2 KB post-quantum key share), split at
// every byte offset and across TLS records; refusals of what is not TLS.
#include <doctest/doctest.h>

#include <string>

#include "client_hello.hpp"

using namespace vigil::web_threat;

namespace {

std::string u16(size_t v) { return std::string{char(v >> 8), char(v & 255)}; }
std::string u24(size_t v) { return std::string{char(v >> 16), char((v >> 8) & 255), char(v & 255)}; }
std::string ext(uint16_t type, const std::string& data) { return u16(type) + u16(data.size()) + data; }

std::string hello_body(const std::string& sni, size_t key_share_bytes, bool ech = false) {
    std::string exts;
    if (!sni.empty()) {
        const std::string entry = std::string(1, '\0') + u16(sni.size()) + sni;
        exts += ext(0, u16(entry.size()) + entry);
    }
    exts += ext(16, u16(12) + std::string("\x02h2\x08http/1.1", 12));
    exts += ext(51, std::string(key_share_bytes, 'k'));  // key_share (X25519MLKEM768 is ~1.2 KB)
    if (ech) exts += ext(0xfe0d, std::string(40, 'e'));
    std::string b = u16(0x0303) + std::string(32, 'r');
    b += std::string(1, char(32)) + std::string(32, 's');   // session id
    b += u16(4) + std::string("\x13\x01\x13\x02", 4);        // cipher suites
    b += std::string("\x01\x00", 2);                         // compression: null
    b += u16(exts.size()) + exts;
    return b;
}

std::string handshake(const std::string& body) { return std::string(1, '\x01') + u24(body.size()) + body; }

// The handshake message in TLS records of at most `per_record` payload bytes.
std::string records(const std::string& msg, size_t per_record = 16384) {
    std::string out;
    for (size_t i = 0; i < msg.size(); i += per_record) {
        const std::string part = msg.substr(i, per_record);
        out += std::string("\x16\x03\x01", 3) + u16(part.size()) + part;
    }
    return out;
}

}  // namespace

TEST_CASE("SNI, ALPN and ECH of a large TLS 1.3 ClientHello") {
    ClientHelloParser p;
    const std::string wire = records(handshake(hello_body("Blocked.Test", 1800, true))) + "after";
    REQUIRE(p.feed(wire) == ClientHelloParser::State::done);
    CHECK(p.hello().sni == "Blocked.Test");
    CHECK(p.hello().alpn == std::vector<std::string>{"h2", "http/1.1"});
    CHECK(p.hello().ech);
    CHECK(p.hello().legacy_version == 0x0303);
}

TEST_CASE("a ClientHello split at every byte offset, and over many small records, still parses") {
    const std::string wire = records(handshake(hello_body("split.test", 1900)));
    REQUIRE(wire.size() > 1500);  // beyond one Ethernet segment
    for (size_t cut = 0; cut <= wire.size(); ++cut) {
        ClientHelloParser p;
        const auto first = p.feed(std::string_view(wire).substr(0, cut));
        if (cut < wire.size()) REQUIRE(first == ClientHelloParser::State::need_more);
        REQUIRE(p.feed(std::string_view(wire).substr(cut)) == ClientHelloParser::State::done);
        REQUIRE(p.hello().sni == "split.test");
    }
    ClientHelloParser tiny;
    const std::string small_records = records(handshake(hello_body("records.test", 300)), 7);
    for (char c : small_records) tiny.feed(std::string_view(&c, 1));
    CHECK(tiny.state() == ClientHelloParser::State::done);
    CHECK(tiny.hello().sni == "records.test");
}

TEST_CASE("no SNI, not TLS, malformed and oversized hellos") {
    ClientHelloParser none;
    CHECK(none.feed(records(handshake(hello_body("", 100)))) == ClientHelloParser::State::done);
    CHECK(none.hello().sni.empty());

    ClientHelloParser http;
    CHECK(http.feed("GET / HTTP/1.1\r\n") == ClientHelloParser::State::not_tls);

    std::string body = hello_body("x.test", 10);
    body[34] = char(40);  // session id length beyond 32
    ClientHelloParser bad;
    CHECK(bad.feed(records(handshake(body))) == ClientHelloParser::State::malformed);
    CHECK(bad.why() == "bad session id");

    ClientHelloParser server_hello;
    std::string sh = handshake(hello_body("x.test", 10));
    sh[0] = 2;
    CHECK(server_hello.feed(records(sh)) == ClientHelloParser::State::malformed);

    ClientHelloParser big;
    CHECK(big.feed(records(handshake(hello_body("big.test", 20000)))) == ClientHelloParser::State::too_large);

    // A truncated extension inside a complete message.
    std::string trunc = hello_body("t.test", 10);
    trunc.resize(trunc.size() - 3);
    ClientHelloParser t;
    CHECK(t.feed(records(handshake(trunc))) == ClientHelloParser::State::malformed);
}

TEST_CASE("the unrecognized_name alert record") {
    CHECK(tls_alert_record() == std::string("\x15\x03\x03\x00\x02\x02\x70", 7));
}
