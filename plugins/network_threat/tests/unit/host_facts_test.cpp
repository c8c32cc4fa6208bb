#include "host_facts.hpp"

#include <doctest/doctest.h>

#include "never_block.hpp"

using namespace vigil::network_threat;
using vigil::common::parse_ip_address;
using vigil::common::parse_ip_prefix;

TEST_CASE("never block: default gateways from /proc/net/route and ipv6_route") {
    const char* v4 =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
    const char* v6 =
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "fe800000000000000000000000000001 "
        "00000400 00000001 00000000 00000003 eth0\n"
        "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 "
        "00000100 00000001 00000000 00000001 eth0\n";
    auto g = gateways_from(v4, v6);
    REQUIRE(g.size() == 2);
    CHECK(g[0].prefix.text() == "10.0.0.1");
    CHECK(g[0].why == "default gateway (eth0)");
    CHECK(g[1].prefix.text() == "fe80::1");
    CHECK(gateways_from("garbage\n\n", "short line").empty());
}

TEST_CASE("never block: resolvers, URLs, matching") {
    auto r = resolvers_from(
        "# x\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\nsearch example\nnameserver bogus\n");
    REQUIRE(r.size() == 2);
    CHECK(r[1].prefix.text() == "fe80::1");
    CHECK(host_of("https://central.example:8443/api") == "central.example");
    CHECK(host_of("https://user:pw@[fd00::5]:8443") == "fd00::5");
    CHECK(host_of("10.0.0.5:443") == "10.0.0.5");
    CHECK(host_of("fd00::5") == "fd00::5");
    CHECK(host_of("http://proxy") == "proxy");
    auto a = addresses_of("https://10.77.0.10:8443", "central node");
    REQUIRE(a.size() == 1);
    CHECK(a[0].prefix.text() == "10.77.0.10");
    NeverBlock nb;
    std::vector<Protected> e = fixed_protected();
    e.push_back({*parse_ip_prefix("10.77.0.10"), "central node"});
    nb.assign(e);
    CHECK(nb.match(*parse_ip_address("10.77.0.10"))->why == "central node");
    CHECK(nb.match(*parse_ip_address("::ffff:10.77.0.10")));
    CHECK(nb.match(*parse_ip_address("fe80::9")));
    CHECK(nb.match(*parse_ip_address("127.0.0.2")));
    CHECK_FALSE(nb.match(*parse_ip_address("10.77.0.11")));
    CHECK(nb.overlaps(*parse_ip_prefix("10.77.0.10")));
    CHECK_FALSE(nb.overlaps(*parse_ip_prefix("2001:db8::/64")));
}

TEST_CASE("host facts: the connector's servers and proxy, the agent proxy") {
    const char* status = R"({"plugins":[{"name":"behavior","status":{}},
        {"name":"kataedr","status":{"server":"https://10.0.0.9:8443","servers":["https://10.0.0.9:8443","https://10.0.0.19:8443"],
         "proxy":"10.0.0.7:3128"}}]})";
    auto e = connector_endpoints(status, "kataedr");
    CHECK(e.size() == 4);
    CHECK(e[1] == "https://10.0.0.19:8443");
    CHECK(connector_endpoints(status, "other").empty());
    CHECK(connector_endpoints("not json", "kataedr").empty());
    CHECK(agent_proxy(R"({"proxy":"http://p:3128"})") == "http://p:3128");
    CHECK(agent_proxy("{}").empty());
    Settings s;
    s.central_nodes = {"https://192.0.2.10:8443"};
    s.never_block = {*parse_ip_prefix("198.51.100.0/24")};
    s.resolv_conf = "/nonexistent";
    HostFactSources src;
    src.proc_net = "/nonexistent";
    src.connector = e;
    src.proxy = "http://10.0.0.8:3128";
    auto all = gather_protected(s, src);
    NeverBlock nb;
    nb.assign(all);
    CHECK(nb.match(*parse_ip_address("192.0.2.10"))->why.find("central node") == 0);
    CHECK(nb.match(*parse_ip_address("10.0.0.9")));
    CHECK(nb.match(*parse_ip_address("10.0.0.7")));
    CHECK(nb.match(*parse_ip_address("10.0.0.8"))->why.find("agent proxy") == 0);
    CHECK(nb.match(*parse_ip_address("198.51.100.77"))->why == "never_block setting");
    CHECK(nb.match(*parse_ip_address("127.0.0.1")));
}
