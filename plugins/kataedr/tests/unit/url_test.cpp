#include "url.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

using namespace vigil::kataedr;

namespace {
// `parse` refuses every {url, reason} with std::invalid_argument whose text contains
// reason ("" when any text will do).
template <class Parse>
void check_refused(Parse parse, std::initializer_list<std::pair<const char*, const char*>> cases) {
    for (const auto& [url, reason] : cases) {
        CAPTURE(url);
        CHECK_THROWS_WITH_AS(parse(url), doctest::Contains(reason), std::invalid_argument);
    }
}
}  // namespace

TEST_CASE("server URLs: host, port, IPv6, normalisation") {
    auto a = parse_server_url("https://127.0.0.1:8443");
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 8443);
    CHECK(a.text == "https://127.0.0.1:8443");
    auto b = parse_server_url("https://central.example/");
    CHECK(b.port == 443);
    CHECK(b.text == "https://central.example:443");
    auto c = parse_server_url("https://[::1]:9000");
    CHECK(c.host == "::1");
    CHECK(c.text == "https://[::1]:9000");
}

TEST_CASE("server URLs: bad ones are refused with a reason") {
    check_refused(parse_server_url, {{"http://x:1", "https://"},
                                     {"https://x:0", "port"},
                                     {"https://x:70000", "port"},
                                     {"https://x:12/api", "path"},
                                     {"https://", ""},
                                     {"https://[::1:80", ""},
                                     {"https://a b:80", ""}});
}

TEST_CASE("proxy URLs: with and without credentials") {
    CHECK_FALSE(parse_proxy_url("").has_value());
    auto p = parse_proxy_url("http://127.0.0.1:8888");
    REQUIRE(p);
    CHECK(p->host == "127.0.0.1");
    CHECK(p->port == 8888);
    CHECK(p->username.empty());
    auto q = parse_proxy_url("http://alice:s%40cr%3At@proxy.lan:3128/");
    REQUIRE(q);
    CHECK(q->username == "alice");
    CHECK(q->password == "s@cr:t");  // percent-decoded
    CHECK(q->host == "proxy.lan");
    CHECK(q->port == 3128);
    auto r = parse_proxy_url("http://bob@[::1]:3128");
    REQUIRE(r);
    CHECK(r->username == "bob");
    CHECK(r->password.empty());
    CHECK(r->host == "::1");
    // A password containing '@' unescaped: the last '@' separates the host.
    auto s = parse_proxy_url("http://u:p@ss@h:1");
    REQUIRE(s);
    CHECK(s->password == "p@ss");
}

TEST_CASE("proxy URLs: bad ones are refused") {
    check_refused(parse_proxy_url, {{"https://h:1", "http://"},
                                    {"http://h", "port"},
                                    {"http://:pw@h:1", "user"},
                                    {"http://u:%zz@h:1", "percent"},
                                    {"http://u:%4@h:1", "percent"},
                                    {"http://h:1/x", ""},
                                    {"socks5://h:1", ""}});
}
