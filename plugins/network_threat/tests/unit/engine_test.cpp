#include "engine.hpp"

#include <doctest/doctest.h>

#include "packet_builder.hpp"

using namespace vigil::network_threat;
using namespace vigil::network_threat::test;
using namespace vigil::network_threat::tcpflag;

namespace {

struct Rig {
    Engine engine{EngineConfig{}};
    std::vector<Finding> out;
    void send(Signal s, const std::vector<uint8_t>& bytes, int64_t ms) {
        engine.observe(s, decoded(bytes), ms, out);
    }
    void tcp(const std::string& src, TcpSpec t, int64_t ms, Signal s = Signal::closed, bool df = false) {
        send(s, tcp4(src, t, df), ms);
    }
    void udp(const std::string& src, uint16_t sport, uint16_t dport, int64_t ms) {
        Ip4Spec ip;
        ip.src = src;
        ip.protocol = 17;
        send(Signal::closed, ipv4(ip, udp_datagram(sport, dport, "x")), ms);
    }
    void tick(int64_t ms) { engine.tick(ms, Distress{}, out); }
};

TcpSpec flags_to(uint16_t port, uint8_t flags) {
    TcpSpec t;
    t.dport = port;
    t.flags = flags;
    return t;
}

}  // namespace

TEST_CASE("engine: a SYN scan is reported once, at the threshold, with evidence") {
    Rig r;
    for (uint16_t port = 1; port <= 11; ++port) r.tcp("10.0.0.2", nmap_syn(port), 1000 + port);
    CHECK(r.out.empty());
    r.tcp("10.0.0.2", nmap_syn(12), 1012);
    REQUIRE(r.out.size() == 1);
    const Finding& f = r.out[0];
    CHECK(f.cls == ThreatClass::scan_tcp_syn);
    CHECK(f.first);
    CHECK_FALSE(f.notify_only);
    CHECK(f.evidence.source.text() == "10.0.0.2");
    CHECK(f.evidence.destination.text() == "10.0.0.1");
    CHECK(f.evidence.technique == "nmap -sS");
    CHECK(f.evidence.distinct == 12);
    CHECK(f.evidence.targets.size() == 12);
    CHECK(f.evidence.tier == Tier::fast);
    CHECK(f.evidence.window_s == 60);
    // More probes in the same minute: no new report.
    for (uint16_t port = 13; port <= 500; ++port) r.tcp("10.0.0.2", nmap_syn(port), 1500);
    r.tick(30000);
    CHECK(r.out.size() == 1);
    // The minute's report of the continuing scan.
    r.tick(61100);
    REQUIRE(r.out.size() == 2);
    CHECK_FALSE(r.out[1].first);
    CHECK(r.out[1].evidence.packets == 488);
    CHECK(r.out[1].evidence.targets.size() == kTargetSample);
    // Nothing more happens: no more reports, the episode ends after two idle minutes.
    r.tick(125000);
    r.tick(190000);
    CHECK(r.out.size() == 2);
    r.tcp("10.0.0.2", nmap_syn(600), 191000);
    CHECK(r.out.size() == 3);  // the remembered targets re-open a scan episode at once
    CHECK(r.out[2].first);
}

TEST_CASE("engine: each nmap TCP scan kind gets its class") {
    struct Case {
        uint8_t flags;
        ThreatClass cls;
        int needed;
    };
    for (auto c : {Case{fin, ThreatClass::scan_tcp_fin, 3}, Case{0, ThreatClass::scan_tcp_null, 3},
                   Case{fin | psh | urg, ThreatClass::scan_tcp_xmas, 3},
                   Case{fin | ack, ThreatClass::scan_tcp_maimon, 3}, Case{ack, ThreatClass::scan_tcp_ack, 12},
                   Case{urg | psh, ThreatClass::scan_tcp_custom, 3}}) {
        Rig r;
        for (int i = 1; i < c.needed; ++i) r.tcp("10.0.0.3", flags_to(uint16_t(100 + i), c.flags), i);
        CHECK_MESSAGE(r.out.empty(), class_info(c.cls).name);
        r.tcp("10.0.0.3", flags_to(99, c.flags), 50);
        REQUIRE_MESSAGE(r.out.size() == 1, class_info(c.cls).name);
        CHECK(r.out[0].cls == c.cls);
    }
    Rig connect;
    for (uint16_t port = 1; port <= 12; ++port) connect.tcp("10.0.0.4", linux_syn(port), port);
    REQUIRE(connect.out.size() == 1);
    CHECK(connect.out[0].cls == ThreatClass::scan_tcp_connect);
    CHECK(connect.out[0].evidence.technique == "nmap -sT");
}

TEST_CASE("engine: invalid flags are reported at once, stealth probes to open ports count") {
    Rig r;
    r.tcp("10.0.0.5", flags_to(80, syn | fin), 10, Signal::open_odd);
    REQUIRE(r.out.size() == 1);
    CHECK(r.out[0].cls == ThreatClass::malformed_tcp_flags);
    CHECK(r.out[0].evidence.technique == "FIN|SYN");
    Rig open;
    for (uint16_t p : {80, 443, 8080}) open.tcp("10.0.0.6", flags_to(p, fin), p, Signal::open_odd);
    REQUIRE(open.out.size() == 1);
    CHECK(open.out[0].cls == ThreatClass::scan_tcp_fin);
}

TEST_CASE("engine: UDP, SCTP and IP protocol scans; server replies never count") {
    Rig r;
    for (uint16_t port = 32768; port < 32868; ++port) r.udp("10.0.0.7", 53, port, port);
    for (uint16_t port = 40000; port < 40100; ++port) r.udp("10.0.0.7", 123, port, port);
    for (uint16_t port = 32768; port < 32800; ++port) {
        TcpSpec t = flags_to(port, ack);
        t.sport = 443;
        r.tcp("10.0.0.7", t, port);
    }
    CHECK(r.out.empty());
    CHECK(r.engine.stats().noise == 232);
    for (uint16_t port = 1; port <= 10; ++port) r.udp("10.0.0.8", 40000, port, 50000 + port);
    REQUIRE(r.out.size() == 1);
    CHECK(r.out[0].cls == ThreatClass::scan_udp);

    Rig proto;
    Ip4Spec ip;
    ip.src = "10.0.0.9";
    for (uint8_t p : {2, 4, 41, 47, 50}) {
        ip.protocol = p;
        proto.send(Signal::protocol, ipv4(ip, {0, 0, 0, 0, 0, 0, 0, 0}), p);
    }
    REQUIRE(proto.out.size() == 1);
    CHECK(proto.out[0].cls == ThreatClass::scan_ip_protocol);

    Rig sctp;
    ip.protocol = 132;
    for (uint16_t port = 1; port <= 5; ++port) {
        std::vector<uint8_t> s(16, 0);
        put16(s, 2, port);
        s[12] = 10;
        sctp.send(Signal::closed, ipv4(ip, s), port);
    }
    REQUIRE(sctp.out.size() == 1);
    CHECK(sctp.out[0].cls == ThreatClass::scan_sctp);
    CHECK(sctp.out[0].evidence.technique == "nmap -sZ");
}

TEST_CASE("engine: nmap -O probes make an OS fingerprinting finding") {
    Rig r;
    r.tcp("10.0.0.10", TcpSpec{40000, 80, 0, 128, 0, {}, ""}, 1, Signal::open_odd, true);  // T2
    r.tcp("10.0.0.10", TcpSpec{40000, 1, syn, 31337, 0, {}, ""}, 2, Signal::closed);       // T5
    CHECK(r.out.empty());
    r.tcp("10.0.0.10", TcpSpec{40000, 1, fin | psh | urg, 65535, 0, {}, ""}, 3, Signal::closed);  // T7
    bool os = false;
    for (const auto& f : r.out)
        if (f.cls == ThreatClass::recon_os_fingerprint) {
            os = true;
            CHECK(f.evidence.details.size() == 3);
            CHECK(f.evidence.technique == "nmap -O");
        }
    CHECK(os);
}

TEST_CASE("engine: slow scans, medium and slow windows; a monitoring poller never counts") {
    Rig t1;  // nmap -T1: one probe every 15 s
    int64_t when = 0;
    for (uint16_t port = 1; port <= 40 && t1.out.empty(); ++port, when += 15000)
        t1.tcp("10.0.0.11", nmap_syn(port), when);
    REQUIRE(t1.out.size() == 1);
    CHECK(t1.out[0].cls == ThreatClass::scan_tcp_syn);
    CHECK(t1.out[0].evidence.tier == Tier::medium);
    CHECK(when <= 300000);  // within five minutes
    CHECK_FALSE(t1.out[0].notify_only);

    Rig t0;  // nmap -T0: one probe every 5 min
    when = 0;
    for (uint16_t port = 1; port <= 25 && t0.out.empty(); ++port, when += 300000) {
        t0.tcp("10.0.0.12", nmap_syn(port), when);
        t0.tick(when + 1000);
    }
    REQUIRE(t0.out.size() == 1);
    CHECK(t0.out[0].cls == ThreatClass::scan_slow);
    CHECK(t0.out[0].notify_only);
    CHECK(t0.out[0].evidence.tier == Tier::slow);

    Rig monitor;  // 8 ports every 10 s, two of them closed, for 30 minutes
    for (int64_t ms = 0; ms < 30 * 60000; ms += 10000) {
        monitor.tcp("10.0.0.13", linux_syn(8081), ms);
        monitor.tcp("10.0.0.13", linux_syn(9100), ms + 5);
        monitor.tick(ms + 100);
    }
    CHECK(monitor.out.empty());
}

TEST_CASE("engine: three sources probing the same ports at once are a decoy group") {
    Rig r;
    for (uint16_t port = 1; port <= 12; ++port)
        for (const char* src : {"10.0.0.20", "10.0.0.21", "10.0.0.22"})
            r.tcp(src, nmap_syn(port), 100 + port);
    REQUIRE(r.out.size() == 3);
    for (const auto& f : r.out) {
        CHECK(f.notify_only);
        CHECK(f.decoy_group.size() == 2);
        CHECK(f.notify_reason.find("decoy") != std::string::npos);
    }
    // Two unrelated scanners at different ports stay separate.
    Rig two;
    for (uint16_t port = 1; port <= 12; ++port) {
        two.tcp("10.0.0.30", nmap_syn(port), port);
        two.tcp("10.0.0.31", nmap_syn(uint16_t(port + 1000)), port);
    }
    REQUIRE(two.out.size() == 2);
    CHECK_FALSE(two.out[0].notify_only);
}

TEST_CASE("engine: land and fragment anomalies, exploit signatures") {
    Rig r;
    r.tcp("10.0.0.1", nmap_syn(80), 5, Signal::land);
    REQUIRE(r.out.size() == 1);
    CHECK(r.out[0].cls == ThreatClass::malformed_land);
    Ip4Spec frag;
    frag.src = "10.0.0.40";
    frag.mf = true;
    r.send(Signal::fragment, ipv4(frag, std::vector<uint8_t>(8, 0)), 6);  // nmap -f: 8-byte fragments
    REQUIRE(r.out.size() == 2);
    CHECK(r.out[1].cls == ThreatClass::malformed_fragment);
    CHECK(r.out[1].evidence.details == std::vector<std::string>{"tiny"});
    SignatureHit hit{9100001, "test", "misc-activity"};
    r.engine.observe_signature(decoded(tcp4("10.0.0.41", nmap_syn(80))), hit, 7, r.out);
    REQUIRE(r.out.size() == 3);
    CHECK(r.out[2].cls == ThreatClass::exploit);
    CHECK(r.out[2].rule_id == "sid:9100001");
    CHECK(r.out[2].title == "test");
}

TEST_CASE("engine: the source table stays bounded under a flood of new sources") {
    EngineConfig c;
    c.max_sources = 1000;
    Engine e(c);
    std::vector<Finding> out;
    for (uint32_t i = 0; i < 20000; ++i) {
        std::string src = "10." + std::to_string(i >> 16 & 255) + "." + std::to_string(i >> 8 & 255) + "." +
                          std::to_string(i & 255);
        e.observe(Signal::closed, decoded(tcp4(src, nmap_syn(uint16_t(i % 1000 + 1)))), i, out);
    }
    CHECK(e.tracked_sources() <= 1000);
    CHECK(out.empty());
}
