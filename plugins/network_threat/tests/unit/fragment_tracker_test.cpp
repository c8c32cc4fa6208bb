#include "fragment_tracker.hpp"

#include <doctest/doctest.h>

#include "packet_builder.hpp"

using namespace vigil::network_threat;
using namespace vigil::network_threat::test;

namespace {
TestPacket frag(uint16_t id, uint16_t offset, size_t len, bool more, const std::string& src = "10.0.0.2") {
    Ip4Spec s;
    s.src = src;
    s.id = id;
    s.mf = more;
    s.frag_offset_bytes = offset;
    s.protocol = 17;
    return decoded(ipv4(s, std::vector<uint8_t>(len, 0)));
}
}  // namespace

TEST_CASE("fragments: ordinary fragmentation is fine, duplicates too") {
    FragmentTracker t;
    CHECK(t.observe(frag(1, 0, 1480, true), 0) == FragmentAnomaly::none);
    CHECK(t.observe(frag(1, 1480, 1480, true), 1) == FragmentAnomaly::none);
    CHECK(t.observe(frag(1, 1480, 1480, true), 2) == FragmentAnomaly::none);  // retransmitted
    CHECK(t.observe(frag(1, 2960, 100, false), 3) == FragmentAnomaly::none);
    CHECK(t.observe(frag(2, 0, 1480, true), 3) == FragmentAnomaly::none);  // another datagram
}

TEST_CASE("fragments: overlap, oversize and tiny") {
    FragmentTracker t;
    CHECK(t.observe(frag(5, 0, 1480, true), 0) == FragmentAnomaly::none);
    CHECK(t.observe(frag(5, 1000, 800, false), 1) == FragmentAnomaly::overlap);    // teardrop-style
    CHECK(t.observe(frag(6, 65528, 200, false), 1) == FragmentAnomaly::oversize);  // ping of death
    CHECK(t.observe(frag(7, 0, 8, true), 1) == FragmentAnomaly::tiny);             // nmap -f
    CHECK(t.observe(frag(7, 8, 8, false), 1) == FragmentAnomaly::none);  // a small last fragment is normal
    CHECK(fragment_anomaly_name(FragmentAnomaly::overlap) == "overlap");
}

TEST_CASE("fragments: an overlap built from tiny fragments is reported as an overlap") {
    FragmentTracker t;
    CHECK(t.observe(frag(8, 0, 48, true), 0) == FragmentAnomaly::tiny);
    CHECK(t.observe(frag(8, 24, 40, false), 1) == FragmentAnomaly::overlap);
    CHECK(t.observe(frag(9, 0, 48, true), 2) == FragmentAnomaly::tiny);
    CHECK(t.observe(frag(9, 0, 48, true), 3) == FragmentAnomaly::tiny);  // a retransmitted tiny fragment
}

TEST_CASE("fragments: bounded table, old datagrams forgotten") {
    FragmentTracker t(100);
    for (uint16_t id = 0; id < 1000; ++id) t.observe(frag(id, 0, 1480, true), 0);
    CHECK(t.size() <= 100);
    t.observe(frag(5000, 0, 1480, true), 31001);  // everything older than 30 s goes
    CHECK(t.size() == 1);
}
