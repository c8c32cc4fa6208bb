#include <doctest/doctest.h>

#include "packet_builder.hpp"

using namespace vigil::network_threat;
using namespace vigil::network_threat::test;

TEST_CASE("packet: IPv4 TCP SYN with options") {
    auto t = linux_syn(8080);
    t.payload = "hello";
    Packet p;
    const auto bytes = tcp4("10.0.0.2", t, true);
    REQUIRE(decode_packet(bytes, p) == DecodeError::none);
    CHECK(p.src.text() == "10.0.0.2");
    CHECK(p.dst.text() == "10.0.0.1");
    CHECK(p.transport == Transport::tcp);
    CHECK(p.dport == 8080);
    CHECK(p.sport == 45000);
    CHECK(p.tcp_flags == tcpflag::syn);
    CHECK(p.dont_fragment);
    CHECK_FALSE(p.fragment);
    CHECK(p.tcp_options.mss);
    CHECK(p.tcp_options.mss_value == 1460);
    CHECK(p.tcp_options.sack_ok);
    CHECK(p.tcp_options.timestamp);
    CHECK(p.tcp_options.ts_value == 1);
    CHECK(p.tcp_options.wscale);
    CHECK(p.tcp_options.wscale_value == 7);
    CHECK(std::string(p.payload.begin(), p.payload.end()) == "hello");
    CHECK_FALSE(p.truncated);
}

TEST_CASE("packet: UDP, ICMP and SCTP over IPv4") {
    Ip4Spec s;
    s.protocol = 17;
    Packet p;
    REQUIRE(decode_packet(ipv4(s, udp_datagram(53, 40000, "abc")), p) == DecodeError::none);
    CHECK(p.transport == Transport::udp);
    CHECK(p.sport == 53);
    CHECK(p.dport == 40000);
    CHECK(p.l4_length == 11);
    s.protocol = 1;
    REQUIRE(decode_packet(ipv4(s, icmp_message(8, 9, 5, 295)), p) == DecodeError::none);
    CHECK(p.transport == Transport::icmp);
    CHECK(p.icmp_type == 8);
    CHECK(p.icmp_code == 9);
    CHECK(p.icmp_seq == 295);
    s.protocol = 132;
    std::vector<uint8_t> sctp(16, 0);
    put16(sctp, 2, 2905);
    sctp[12] = 1;  // INIT
    REQUIRE(decode_packet(ipv4(s, sctp), p) == DecodeError::none);
    CHECK(p.transport == Transport::sctp);
    CHECK(p.dport == 2905);
    CHECK(p.sctp_chunk == 1);
    s.protocol = 47;  // GRE: no port-carrying header
    REQUIRE(decode_packet(ipv4(s, {1, 2, 3, 4}), p) == DecodeError::none);
    CHECK(p.transport == Transport::other);
    CHECK(p.protocol == 47);
}

TEST_CASE("packet: IPv6 with extension headers and a fragment header") {
    // hop-by-hop (8 bytes) -> fragment (offset 0, more) -> TCP
    std::vector<uint8_t> rest = {44, 0, 1, 4, 0, 0, 0, 0};                   // HBH: next=44, len 0, PadN
    std::vector<uint8_t> frag = {6, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};  // next=TCP, offset 0, M=1
    rest.insert(rest.end(), frag.begin(), frag.end());
    auto tcp = tcp_segment(nmap_syn(22));
    rest.insert(rest.end(), tcp.begin(), tcp.end());
    Packet p;
    REQUIRE(decode_packet(ipv6("fd00::2", "fd00::1", 0, rest), p) == DecodeError::none);
    CHECK(p.src.text() == "fd00::2");
    CHECK(p.protocol == 6);
    CHECK(p.fragment);
    CHECK(p.more_fragments);
    CHECK(p.frag_id == 0xdeadbeef);
    CHECK(p.transport == Transport::tcp);
    CHECK(p.dport == 22);

    // A non-first fragment has no transport header.
    std::vector<uint8_t> later = {17, 0, 0x00, 0x50, 0, 0, 0, 9, 1, 2, 3, 4};
    REQUIRE(decode_packet(ipv6("fd00::2", "fd00::1", 44, later), p) == DecodeError::none);
    CHECK(p.fragment);
    CHECK(p.fragment_offset == 80);
    CHECK(p.transport == Transport::none);
}

TEST_CASE("packet: hostile input never reads out of bounds and says why") {
    Packet p;
    CHECK(decode_packet({}, p) == DecodeError::empty);
    std::vector<uint8_t> b = {0x75, 0, 0, 0};
    CHECK(decode_packet(b, p) == DecodeError::bad_version);
    b = {0x45, 0, 0, 20};
    CHECK(decode_packet(b, p) == DecodeError::short_ip_header);
    auto ok = tcp4("10.0.0.2", nmap_syn(80));
    auto bad_ihl = ok;
    bad_ihl[0] = 0x44;
    CHECK(decode_packet(bad_ihl, p) == DecodeError::bad_header_length);
    auto big_ihl = ok;
    big_ihl[0] = 0x4f;  // 60-byte header on a 44-byte packet
    CHECK(decode_packet(std::span(big_ihl).first(40), p) == DecodeError::short_ip_header);
    auto short_total = ok;
    short_total[2] = 0;
    short_total[3] = 10;
    CHECK(decode_packet(short_total, p) == DecodeError::bad_total_length);
    // Cut inside the TCP header: the IP part decodes, the rest is marked truncated.
    CHECK(decode_packet(std::span(ok).first(30), p) == DecodeError::none);
    CHECK(p.truncated);
    CHECK(p.transport == Transport::none);
    // A TCP data offset beyond the capture keeps the flags and ports.
    auto doff = ok;
    doff[20 + 12] = 0xf0;
    CHECK(decode_packet(doff, p) == DecodeError::none);
    CHECK(p.transport == Transport::tcp);
    CHECK(p.truncated);
    CHECK(p.tcp_flags == tcpflag::syn);
    // Too many IPv6 extension headers.
    std::vector<uint8_t> chain;
    for (int i = 0; i < 12; ++i) chain.insert(chain.end(), {60, 0, 1, 4, 0, 0, 0, 0});
    CHECK(decode_packet(ipv6("fd00::2", "fd00::1", 60, chain), p) == DecodeError::too_many_extension_headers);
    CHECK(decode_error_text(DecodeError::too_many_extension_headers).find("8") != std::string_view::npos);
}

TEST_CASE("packet: fragments of IPv4") {
    Ip4Spec s;
    s.mf = true;
    s.frag_offset_bytes = 0;
    s.id = 99;
    Packet p;
    REQUIRE(decode_packet(ipv4(s, std::vector<uint8_t>(8, 0)), p) == DecodeError::none);
    CHECK(p.fragment);
    CHECK(p.more_fragments);
    CHECK(p.fragment_payload == 8);
    CHECK(p.frag_id == 99);
    s.mf = false;
    s.frag_offset_bytes = 8;
    REQUIRE(decode_packet(ipv4(s, std::vector<uint8_t>(12, 0)), p) == DecodeError::none);
    CHECK(p.fragment);
    CHECK(p.fragment_offset == 8);
    CHECK(p.transport == Transport::none);
}
