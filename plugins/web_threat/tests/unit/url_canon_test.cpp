// URL canonicalisation and expressions: the examples of the Safe Browsing
// specification (developers.google.com/safe-browsing/v4/urls-hashing).
#include <doctest/doctest.h>

#include <algorithm>

#include "host_name.hpp"
#include "url_canon.hpp"

using namespace vigil::web_threat;

namespace {
std::string canon(std::string_view in) {
    auto u = canonicalize_url(in);
    return u ? u->text() : std::string("<none>");
}
}  // namespace

TEST_CASE("the Safe Browsing canonicalisation examples") {
    const std::pair<const char*, const char*> cases[] = {
        {"http://host/%25%32%35", "http://host/%25"},
        {"http://host/%25%32%35%25%32%35", "http://host/%25%25"},
        {"http://host/%2525252525252525", "http://host/%25"},
        {"http://host/asdf%25%32%35asd", "http://host/asdf%25asd"},
        {"http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25"},
        {"http://www.google.com/", "http://www.google.com/"},
        {"http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/",
         "http://168.188.99.26/.secure/www.ebay.com/"},
        {"http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
         "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/"},
        {"http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B",
         "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+"},
        {"http://3279880203/blah", "http://195.127.0.11/blah"},
        {"http://www.google.com/blah/..", "http://www.google.com/"},
        {"www.google.com/", "http://www.google.com/"},
        {"www.google.com", "http://www.google.com/"},
        {"http://www.evil.com/blah#frag", "http://www.evil.com/blah"},
        {"http://www.GOOgle.com/", "http://www.google.com/"},
        {"http://www.google.com.../", "http://www.google.com/"},
        {"http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2"},
        {"http://www.google.com/q?", "http://www.google.com/q?"},
        {"http://www.google.com/q?r?", "http://www.google.com/q?r?"},
        {"http://www.google.com/q?r?s", "http://www.google.com/q?r?s"},
        {"http://evil.com/foo#bar#baz", "http://evil.com/foo"},
        {"http://evil.com/foo;", "http://evil.com/foo;"},
        {"http://evil.com/foo?bar;", "http://evil.com/foo?bar;"},
        {"http://\x01\x80.com/", "http://%01%80.com/"},
        {"http://notrailingslash.com", "http://notrailingslash.com/"},
        {"http://www.gotaport.com:1234/", "http://www.gotaport.com/"},
        {"  http://www.google.com/  ", "http://www.google.com/"},
        {"http:// leadingspace.com/", "http://%20leadingspace.com/"},
        {"http://%20leadingspace.com/", "http://%20leadingspace.com/"},
        {"%20leadingspace.com/", "http://%20leadingspace.com/"},
        {"https://www.securesite.com/", "https://www.securesite.com/"},
        {"http://host.com/ab%23cd", "http://host.com/ab%23cd"},
        {"http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes"},
    };
    for (const auto& [in, want] : cases) {
        CAPTURE(in);
        CHECK(canon(in) == want);
    }
}

TEST_CASE("user info and ports are not part of the host; no host is refused") {
    CHECK(canon("http://user:pw@Evil.COM:8080/a/./b/../c") == "http://evil.com/a/c");
    CHECK(canon("http://[2001:db8::1]:443/x") == "http://[2001:db8::1]/x");
    std::string why;
    CHECK_FALSE(canonicalize_url("http:///path", &why));
    CHECK(why == "no host in the URL");
    CHECK_FALSE(canonicalize_url(""));
}

TEST_CASE("IPv4 hosts in any inet_aton spelling become dotted decimal") {
    CHECK(ipv4_of_host("0xc3.0177.0.11") == "195.127.0.11");
    CHECK(ipv4_of_host("195.127.11") == "195.127.0.11");
    CHECK(ipv4_of_host("1.2.3.4.5") == std::nullopt);
    CHECK(ipv4_of_host("256.1.1.1") == std::nullopt);
    CHECK(ipv4_of_host("evil.com") == std::nullopt);
    CHECK(canonical_host("..WWW..Example.COM..") == "www.example.com");
}

TEST_CASE("the lookup expressions of the specification's examples") {
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    auto u = canonicalize_url("http://a.b.c/1/2.html?param=1");
    REQUIRE(u);
    CHECK(sorted(url_expressions(*u)) == sorted({"a.b.c/1/2.html?param=1", "a.b.c/1/2.html", "a.b.c/", "a.b.c/1/",
                                                  "b.c/1/2.html?param=1", "b.c/1/2.html", "b.c/", "b.c/1/"}));
    u = canonicalize_url("http://a.b.c.d.e.f.g/1.html");
    REQUIRE(u);
    CHECK(sorted(url_expressions(*u)) ==
          sorted({"a.b.c.d.e.f.g/1.html", "a.b.c.d.e.f.g/", "c.d.e.f.g/1.html", "c.d.e.f.g/", "d.e.f.g/1.html",
                  "d.e.f.g/", "e.f.g/1.html", "e.f.g/", "f.g/1.html", "f.g/"}));
    u = canonicalize_url("http://1.2.3.4/1/");
    REQUIRE(u);
    CHECK(sorted(url_expressions(*u)) == sorted({"1.2.3.4/1/", "1.2.3.4/"}));
    u = canonicalize_url("http://x.org/a/b/c/d/e/f.html?q");
    REQUIRE(u);
    // Full path with and without the query, then at most 4 prefixes; x.org has no shorter host.
    CHECK(url_expressions(*u) == std::vector<std::string>{"x.org/a/b/c/d/e/f.html?q", "x.org/a/b/c/d/e/f.html", "x.org/",
                                                          "x.org/a/", "x.org/a/b/", "x.org/a/b/c/"});
}

TEST_CASE("a request's URL from origin form and absolute form") {
    auto u = url_of_request("http", "Shared.Test:8080", "/bad/../bad/x?y=1");
    REQUIRE(u);
    CHECK(u->text() == "http://shared.test/bad/x?y=1");
    u = url_of_request("http", "ignored.test", "http://Other.Test/p");
    REQUIRE(u);
    CHECK(u->text() == "http://other.test/p");
}
