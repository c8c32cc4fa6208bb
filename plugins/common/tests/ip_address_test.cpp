#include "vigil/common/ip_address.hpp"

#include <doctest/doctest.h>

#include <unordered_set>

using namespace vigil::common;

TEST_CASE("ip_address: parse and print both families") {
    auto a = parse_ip_address("10.1.2.3");
    REQUIRE(a);
    CHECK(a->is_v4());
    CHECK(a->text() == "10.1.2.3");
    auto b = parse_ip_address("2001:0db8:0:0::1");
    REQUIRE(b);
    CHECK(b->is_v6());
    CHECK(b->text() == "2001:db8::1");
    CHECK(b->bits() == 128);
}

TEST_CASE("ip_address: refuses what is not a plain address") {
    for (const char* bad : {"", "10.1.2", "10.1.2.256", "10.1.2.3:80", "[::1]", "fe80::1%eth0", "1.2.3.4 ",
                            "abc", "::1::2", "10.1.2.3/8"})
        CHECK_MESSAGE(!parse_ip_address(bad), bad);
}

TEST_CASE("ip_address: classes") {
    CHECK(parse_ip_address("127.0.0.9")->is_loopback());
    CHECK(parse_ip_address("::1")->is_loopback());
    CHECK(parse_ip_address("169.254.3.4")->is_link_local());
    CHECK(parse_ip_address("fe80::1")->is_link_local());
    CHECK(parse_ip_address("febf::1")->is_link_local());
    CHECK_FALSE(parse_ip_address("fec0::1")->is_link_local());
    CHECK(parse_ip_address("239.1.1.1")->is_multicast());
    CHECK(parse_ip_address("ff02::1")->is_multicast());
    CHECK(parse_ip_address("0.0.0.0")->is_unspecified());
    CHECK(parse_ip_address("::")->is_unspecified());
    CHECK(parse_ip_address("255.255.255.255")->is_broadcast());
    auto m = parse_ip_address("::ffff:10.0.0.1");
    CHECK(m->is_v4_mapped());
    CHECK(m->unmapped().text() == "10.0.0.1");
    CHECK(parse_ip_address("10.0.0.1")->unmapped().text() == "10.0.0.1");
}

TEST_CASE("ip_prefix: parse, clear host bits, contain") {
    auto p = parse_ip_prefix("10.1.2.3/8");
    REQUIRE(p);
    CHECK(p->text() == "10.0.0.0/8");
    CHECK(p->contains(*parse_ip_address("10.255.0.1")));
    CHECK_FALSE(p->contains(*parse_ip_address("11.0.0.1")));
    CHECK_FALSE(p->contains(*parse_ip_address("::ffff:10.0.0.1")));
    auto h = parse_ip_prefix("2001:db8::5");
    REQUIRE(h);
    CHECK(h->is_host());
    CHECK(h->text() == "2001:db8::5");
    auto n = parse_ip_prefix("2001:db8:1:2:3::/64");
    REQUIRE(n);
    CHECK(n->text() == "2001:db8:1:2::/64");
    CHECK(n->contains(*parse_ip_address("2001:db8:1:2:ffff::1")));
    CHECK(n->covers(*h) == false);
    CHECK(parse_ip_prefix("2001:db8::/32")->covers(*n));
    CHECK(parse_ip_prefix("0.0.0.0/0")->contains(*parse_ip_address("1.2.3.4")));
    auto odd = parse_ip_prefix("10.1.2.3/13");
    CHECK(odd->text() == "10.0.0.0/13");
    CHECK(odd->contains(*parse_ip_address("10.7.255.255")));
    CHECK_FALSE(odd->contains(*parse_ip_address("10.8.0.0")));
}

TEST_CASE("ip_prefix: errors name the problem") {
    std::string err;
    CHECK_FALSE(parse_ip_prefix("10.0.0.0/33", &err));
    CHECK(err.find("out of range 0-32") != std::string::npos);
    CHECK_FALSE(parse_ip_prefix("::/129", &err));
    CHECK(err.find("0-128") != std::string::npos);
    CHECK_FALSE(parse_ip_prefix("host.example/8", &err));
    CHECK(err.find("not an IPv4 or IPv6 address") != std::string::npos);
    for (const char* bad : {"10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/1/2", "10.0.0.0/ 8"})
        CHECK_MESSAGE(!parse_ip_prefix(bad), bad);
}

TEST_CASE("ip_address: hash and order") {
    std::unordered_set<IpAddress, IpAddressHash> s;
    s.insert(*parse_ip_address("10.0.0.1"));
    s.insert(*parse_ip_address("10.0.0.1"));
    s.insert(*parse_ip_address("::1"));
    CHECK(s.size() == 2);
    CHECK(*parse_ip_address("10.0.0.1") < *parse_ip_address("10.0.0.2"));
}
