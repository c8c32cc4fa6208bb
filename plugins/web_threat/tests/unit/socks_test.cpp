#include <doctest/doctest.h>

#include <string>

#include "socks.hpp"

using namespace vigil::web_threat;

TEST_CASE("SOCKS4, SOCKS4a and SOCKS5 CONNECT targets, byte by byte") {
    const std::string s4 = std::string("\x04\x01\x01\xbb\x0a\x09\x00\x42user\0", 13);
    const std::string s4a = std::string("\x04\x01\x00\x50\x00\x00\x00\x01\0", 9) + "Blocked.Test" + std::string(1, '\0');
    const std::string s5 = std::string("\x05\x01\x00\x03\x0c", 5) + "blocked.test" + "\x01\xbb";
    const std::string s5v6 = std::string("\x05\x01\x00\x04", 4) + std::string("\xfd\x09", 2) + std::string(13, '\0') +
                             "\x02" + std::string("\x00\x50", 2);
    struct Case {
        const std::string* wire;
        bool v5;
        const char* host;
        uint16_t port;
    } cases[] = {{&s4, false, "10.9.0.66", 443}, {&s4a, false, "Blocked.Test", 80}, {&s5, true, "blocked.test", 443},
                 {&s5v6, true, "fd09::2", 80}};
    for (const auto& c : cases) {
        CAPTURE(c.host);
        for (size_t n = 0; n < c.wire->size(); ++n) {
            SocksTarget t;
            const auto r = c.v5 ? parse_socks5_request(c.wire->substr(0, n), t) : parse_socks4(c.wire->substr(0, n), t);
            REQUIRE(r.state == SocksParse::need_more);
        }
        SocksTarget t;
        const auto r = c.v5 ? parse_socks5_request(*c.wire + "tail", t) : parse_socks4(*c.wire + "tail", t);
        REQUIRE(r.state == SocksParse::done);
        CHECK(r.length == c.wire->size());
        CHECK(t.host == c.host);
        CHECK(t.port == c.port);
    }
    bool no_auth = false;
    CHECK(parse_socks5_greeting(std::string("\x05\x02\x02\x00", 4), no_auth).state == SocksParse::done);
    CHECK(no_auth);
}

TEST_CASE("SOCKS refusals") {
    SocksTarget t;
    CHECK(parse_socks4(std::string("\x04\x02\x00\x50\x01\x02\x03\x04\0", 9), t).why == "not a SOCKS4 CONNECT");
    CHECK(parse_socks4(std::string("\x04\x01\x00\x50\x01\x02\x03\x04", 8) + std::string(300, 'u'), t).why ==
          "SOCKS4 user id too long");
    CHECK(parse_socks5_request(std::string("\x05\x01\x00\x07", 4), t).why == "unknown SOCKS5 address type");
    CHECK(parse_socks5_request(std::string("\x05\x01\x00\x03\x02\x01\x02\x00\x50", 9), t).why == "bad SOCKS5 host name");
    CHECK(parse_socks5_request(std::string("\x05\x02\x00\x01", 4), t).why == "not a SOCKS5 CONNECT");
}
