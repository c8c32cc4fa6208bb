#include "distress.hpp"

#include <doctest/doctest.h>

#include "vigil/testing/temp_dir.hpp"

using namespace vigil::network_threat;

TEST_CASE("distress: /proc/net counter tables") {
    auto m = parse_snmp_counters(
        "TcpExt: SyncookiesSent EmbryonicRsts ListenDrops\nTcpExt: 5 7 9\n"
        "IpExt: InNoRoutes\nIpExt: 1\nUdp: RcvbufErrors MaxConn\nUdp: 3 -1\nbroken: a b\nother: 1\n");
    CHECK(m["TcpExt.SyncookiesSent"] == 5);
    CHECK(m["TcpExt.EmbryonicRsts"] == 7);
    CHECK(m["IpExt.InNoRoutes"] == 1);
    CHECK(m["Udp.RcvbufErrors"] == 3);
    CHECK(m["Udp.MaxConn"] == 0);
    CHECK(m.count("broken.a") == 0);
}

TEST_CASE("distress: rates between two samples") {
    std::map<std::string, uint64_t> a{{"TcpExt.EmbryonicRsts", 100}, {"Udp.RcvbufErrors", 10}};
    std::map<std::string, uint64_t> b{
        {"TcpExt.EmbryonicRsts", 2100}, {"TcpExt.SyncookiesSent", 0}, {"Udp.RcvbufErrors", 510}};
    auto d = DistressMonitor::rates(a, b, 2000);
    CHECK(d.valid);
    CHECK(d.tcp_incomplete_per_s == doctest::Approx(1000));
    CHECK(d.udp_dropped_per_s == doctest::Approx(250));
    CHECK_FALSE(DistressMonitor::rates({}, b, 1000).valid);
    auto wrapped = DistressMonitor::rates(b, a, 1000);  // counters going back (namespace reset) count nothing
    CHECK(wrapped.tcp_incomplete_per_s == 0);
}

TEST_CASE("distress: sampling files of a fake /proc/net") {
    vigil::testing::TempDir dir;
    dir.write("netstat", "TcpExt: EmbryonicRsts\nTcpExt: 10\n");
    dir.write("snmp", "Udp: RcvbufErrors\nUdp: 0\n");
    dir.write("snmp6", "Udp6RcvbufErrors 4\nIp6InReceives 9\n");
    DistressMonitor m(dir.path().string());
    CHECK_FALSE(m.sample(0).valid);
    dir.write("netstat", "TcpExt: EmbryonicRsts\nTcpExt: 510\n");
    dir.write("snmp6", "Udp6RcvbufErrors 104\n");
    auto d = m.sample(500);
    CHECK(d.valid);
    CHECK(d.tcp_incomplete_per_s == doctest::Approx(1000));
    CHECK(d.udp_dropped_per_s == doctest::Approx(200));
}
