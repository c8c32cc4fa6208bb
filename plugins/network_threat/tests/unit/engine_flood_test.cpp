#include <doctest/doctest.h>

#include "engine.hpp"
#include "packet_builder.hpp"

using namespace vigil::network_threat;
using namespace vigil::network_threat::test;

namespace {
Distress distress(double tcp, double udp) {
    return Distress{.valid = true, .tcp_incomplete_per_s = tcp, .udp_dropped_per_s = udp};
}
}  // namespace

TEST_CASE("flood: a SYN rate alone is no flood; with incomplete handshakes it is") {
    Engine e{EngineConfig{}};
    std::vector<Finding> out;
    e.observe(Signal::syn_rate, decoded(tcp4("10.0.0.2", linux_syn(8080))), 1000, out);
    CHECK(e.wants_distress(1000));
    e.tick(1200, distress(0, 0), out);  // a busy but healthy client
    CHECK(out.empty());
    e.observe(Signal::syn_rate, decoded(tcp4("10.0.0.2", linux_syn(8080))), 2000, out);
    e.tick(2100, distress(5000, 0), out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].cls == ThreatClass::flood_syn);
    CHECK(out[0].evidence.source.text() == "10.0.0.2");
    CHECK_FALSE(out[0].notify_only);
    // Only one report in the minute however long it lasts.
    for (int64_t ms = 2200; ms < 50000; ms += 500) {
        e.observe(Signal::syn_rate, decoded(tcp4("10.0.0.2", linux_syn(8080))), ms, out);
        e.tick(ms + 1, distress(5000, 0), out);
    }
    CHECK(out.size() == 1);
    // A candidate too old is not confirmed by later distress.
    Engine late{EngineConfig{}};
    std::vector<Finding> out2;
    late.observe(Signal::syn_rate, decoded(tcp4("10.0.0.3", linux_syn(8080))), 1000, out2);
    late.tick(5000, distress(5000, 0), out2);
    CHECK(out2.empty());
}

TEST_CASE("flood: UDP needs dropped datagrams; closed-port floods and ICMP floods need none") {
    Engine e{EngineConfig{}};
    std::vector<Finding> out;
    Ip4Spec ip;
    ip.protocol = 17;
    e.observe(Signal::udp_rate, decoded(ipv4(ip, udp_datagram(4000, 5300, "x"))), 1000, out);
    e.tick(1100, distress(0, 10), out);
    CHECK(out.empty());
    e.tick(1200, distress(0, 900), out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].cls == ThreatClass::flood_udp);

    ip.src = "10.0.0.9";
    e.observe(Signal::closed_rate, decoded(ipv4(ip, udp_datagram(4000, 9999, "x"))), 1300, out);
    REQUIRE(out.size() == 2);
    CHECK(out[1].cls == ThreatClass::flood_udp);
    e.observe(Signal::closed_rate, decoded(tcp4("10.0.0.9", linux_syn(9))), 1300, out);
    REQUIRE(out.size() == 3);
    CHECK(out[2].cls == ThreatClass::flood_syn);

    ip.protocol = 1;
    ip.src = "10.0.0.10";
    e.observe(Signal::icmp_rate, decoded(ipv4(ip, icmp_message(8, 0))), 1400, out);
    REQUIRE(out.size() == 4);
    CHECK(out[3].cls == ThreatClass::flood_icmp);
}

TEST_CASE("flood: many spoofed sources make one host-level event and no per-source finding") {
    Engine e{EngineConfig{}};
    std::vector<Finding> out;
    for (int i = 0; i < 200; ++i) {
        const std::string src = "198.51." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
        e.observe(Signal::syn_global, decoded(tcp4(src, nmap_syn(80))), 1000 + i, out);
        e.observe(Signal::closed, decoded(tcp4(src, nmap_syn(uint16_t(1000 + i)))), 1000 + i, out);
    }
    CHECK(out.empty());
    e.tick(1500, distress(0, 0), out);  // no distress yet
    CHECK(out.empty());
    e.tick(1600, distress(8000, 0), out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].cls == ThreatClass::flood_distributed);
    CHECK(out[0].evidence.source.empty());
    CHECK(out[0].notify_only);
    CHECK(out[0].evidence.distinct == 200);
    CHECK(class_info(out[0].cls).host_level);
    // Still going a minute later: one more report, never a per-source one.
    e.observe(Signal::syn_global, decoded(tcp4("198.51.1.1", nmap_syn(80))), 61000, out);
    e.tick(61700, distress(8000, 0), out);
    REQUIRE(out.size() == 2);
    CHECK(out[1].cls == ThreatClass::flood_distributed);
    CHECK_FALSE(out[1].first);
    // Few sources over the global rate are left to the per-source detection.
    Engine few{EngineConfig{}};
    std::vector<Finding> out2;
    for (int i = 0; i < 100; ++i)
        few.observe(Signal::icmp_global, decoded(tcp4("10.1.1.1", nmap_syn(80))), i, out2);
    few.tick(200, distress(0, 0), out2);
    CHECK(out2.empty());
}
