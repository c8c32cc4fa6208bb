#include "probe.hpp"

#include <doctest/doctest.h>

#include "packet_builder.hpp"

using namespace vigil::network_threat;
using namespace vigil::network_threat::test;
using namespace vigil::network_threat::tcpflag;

namespace {
Probe tcp_probe(uint8_t flags, uint16_t window = 1024, bool df = false, Signal sig = Signal::closed,
                uint16_t sport = 51234, uint16_t dport = 80) {
    TcpSpec t;
    t.flags = flags;
    t.window = window;
    t.sport = sport;
    t.dport = dport;
    return classify_probe(sig, decoded(tcp4("10.0.0.2", t, df)), NoiseFilter{});
}
}  // namespace

TEST_CASE("probe: nmap TCP scan kinds from their flags") {
    CHECK(classify_probe(Signal::closed, decoded(tcp4("10.0.0.2", nmap_syn(80))), {}).kind ==
          ProbeKind::tcp_syn_raw);
    CHECK(classify_probe(Signal::closed, decoded(tcp4("10.0.0.2", linux_syn(80))), {}).kind ==
          ProbeKind::tcp_syn_os);
    CHECK(tcp_probe(fin).kind == ProbeKind::tcp_fin);
    CHECK(tcp_probe(0).kind == ProbeKind::tcp_null);
    CHECK(tcp_probe(fin | psh | urg).kind == ProbeKind::tcp_xmas);
    CHECK(tcp_probe(fin | ack).kind == ProbeKind::tcp_maimon);
    CHECK(tcp_probe(ack).kind == ProbeKind::tcp_ack);
    CHECK(tcp_probe(psh).kind == ProbeKind::tcp_custom);
    CHECK(tcp_probe(rst).kind == ProbeKind::none);
    CHECK(tcp_probe(rst | ack).kind == ProbeKind::none);
    CHECK(tcp_probe(syn | ack).kind == ProbeKind::none);
    auto synfin = tcp_probe(syn | fin);
    CHECK(synfin.kind == ProbeKind::tcp_custom);
    CHECK(synfin.invalid_flags);
    CHECK(tcp_probe(syn | rst).invalid_flags);
    CHECK_FALSE(tcp_probe(fin | psh | urg).invalid_flags);
    CHECK(tcp_probe(fin).failed);
    CHECK_FALSE(tcp_probe(fin, 1024, false, Signal::open_odd).failed);
    CHECK(tcp_probe(syn).key == (6u << 16 | 80));
    CHECK(tcp_flags_text(fin | psh | urg) == "FIN|PSH|URG");
    CHECK(tcp_flags_text(0) == "none");
}

TEST_CASE("probe: nmap -O probes") {
    CHECK(tcp_probe(0, 128, true, Signal::open_odd).os == OsProbe::t2);
    CHECK(tcp_probe(syn | fin | psh | urg, 256, false, Signal::open_odd).os == OsProbe::t3);
    CHECK(tcp_probe(ack, 1024, true, Signal::open_odd).os == OsProbe::t4);
    CHECK(tcp_probe(syn, 31337).os == OsProbe::t5);
    CHECK(tcp_probe(ack, 32768, true).os == OsProbe::t6);
    CHECK(tcp_probe(fin | psh | urg, 65535).os == OsProbe::t7);
    CHECK(tcp_probe(ack, 1024, false).os == OsProbe::none);
    TcpSpec seq;
    seq.flags = syn;
    seq.window = 63;
    seq.options = {8, 10, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    CHECK(classify_probe(Signal::open_odd, decoded(tcp4("10.0.0.2", seq)), {}).os == OsProbe::seq);
    TcpSpec ecn;
    ecn.flags = syn | ece | cwr;
    ecn.window = 3;
    ecn.urgent = 0xf7f5;
    CHECK(classify_probe(Signal::open_odd, decoded(tcp4("10.0.0.2", ecn)), {}).os == OsProbe::ecn);
    Ip4Spec ip;
    ip.protocol = 1;
    CHECK(classify_probe(Signal::icmp_odd, decoded(ipv4(ip, icmp_message(8, 9))), {}).os == OsProbe::ie);
    ip.protocol = 17;
    auto u1 = classify_probe(Signal::closed,
                             decoded(ipv4(ip, udp_datagram(40000, 33000, std::string(300, 'C')))), {});
    CHECK(u1.os == OsProbe::u1);
    CHECK(u1.kind == ProbeKind::udp);
}

TEST_CASE("probe: late server replies and broadcast services are noise") {
    NoiseFilter n;
    CHECK(tcp_probe(ack, 1024, false, Signal::closed, 443, 40000).noise);
    CHECK(tcp_probe(fin | ack, 1024, false, Signal::closed, 443, 50000).noise);
    CHECK(tcp_probe(rst | ack, 1024, false, Signal::closed, 80, 40000).noise);
    // A SYN from a server port is not a reply: nmap -g 53 is still a probe.
    CHECK_FALSE(tcp_probe(syn, 1024, false, Signal::closed, 53, 40000).noise);
    // Outside the ephemeral range it is a probe.
    CHECK_FALSE(tcp_probe(ack, 1024, false, Signal::closed, 443, 22).noise);
    Ip4Spec ip;
    ip.protocol = 17;
    CHECK(classify_probe(Signal::closed, decoded(ipv4(ip, udp_datagram(53, 41000, "x"))), n).noise);
    CHECK(classify_probe(Signal::closed, decoded(ipv4(ip, udp_datagram(123, 60000, "x"))), n).noise);
    CHECK(classify_probe(Signal::closed, decoded(ipv4(ip, udp_datagram(5353, 5353, "x"))), n).noise);
    CHECK(classify_probe(Signal::closed, decoded(ipv4(ip, udp_datagram(40000, 1900, "x"))), n).noise);
    CHECK_FALSE(classify_probe(Signal::closed, decoded(ipv4(ip, udp_datagram(53, 161, "x"))), n).noise);
    n.ephemeral_low = 10000;
    n.ephemeral_high = 20000;
    CHECK_FALSE(classify_probe(Signal::closed, decoded(ipv4(ip, udp_datagram(53, 41000, "x"))), n).noise);
}

TEST_CASE("probe: SCTP and IP protocol probes") {
    Ip4Spec ip;
    ip.protocol = 132;
    std::vector<uint8_t> sctp(16, 0);
    put16(sctp, 2, 80);
    sctp[12] = 1;
    auto init = classify_probe(Signal::closed, decoded(ipv4(ip, sctp)), {});
    CHECK(init.kind == ProbeKind::sctp_init);
    sctp[12] = 10;
    CHECK(classify_probe(Signal::closed, decoded(ipv4(ip, sctp)), {}).kind == ProbeKind::sctp_cookie);
    ip.protocol = 47;
    auto proto = classify_probe(Signal::protocol, decoded(ipv4(ip, {0, 0, 0, 0})), {});
    CHECK(proto.kind == ProbeKind::ip_protocol);
    CHECK(proto.key == (0x01000000u | 47));
    CHECK(scan_class(ProbeKind::sctp_init) == ThreatClass::scan_sctp);
    CHECK(probe_technique(ProbeKind::sctp_cookie) == "nmap -sZ");
    CHECK(probe_technique(ProbeKind::ip_protocol) == "nmap -sO");
}

TEST_CASE("probe: every probe kind has its scan class") {
    using K = ProbeKind;
    using C = ThreatClass;
    const std::pair<K, C> expected[] = {{K::tcp_syn_raw, C::scan_tcp_syn},
                                        {K::tcp_syn_os, C::scan_tcp_connect},
                                        {K::tcp_fin, C::scan_tcp_fin},
                                        {K::tcp_null, C::scan_tcp_null},
                                        {K::tcp_xmas, C::scan_tcp_xmas},
                                        {K::tcp_maimon, C::scan_tcp_maimon},
                                        {K::tcp_ack, C::scan_tcp_ack},
                                        {K::tcp_custom, C::scan_tcp_custom},
                                        {K::udp, C::scan_udp},
                                        {K::sctp_init, C::scan_sctp},
                                        {K::sctp_cookie, C::scan_sctp},
                                        {K::sctp_other, C::scan_sctp},
                                        {K::ip_protocol, C::scan_ip_protocol}};
    for (const auto& [kind, cls] : expected) CHECK(scan_class(kind) == cls);
    CHECK(scan_class(K::none) == C::scan_tcp_custom);
    CHECK(scan_class(K(200)) == C::scan_tcp_custom);
}
