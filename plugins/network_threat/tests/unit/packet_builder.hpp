// Builds raw IPv4/IPv6 packets for the tests, the way they arrive from NFLOG.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "packet.hpp"

namespace vigil::network_threat::test {

struct TcpSpec {
    uint16_t sport = 40000, dport = 80;
    uint8_t flags = tcpflag::syn;
    uint16_t window = 1024;
    uint16_t urgent = 0;
    std::vector<uint8_t> options;  // raw option bytes (padded to 4)
    std::string payload;
};

inline void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
    b[at] = uint8_t(v >> 8);
    b[at + 1] = uint8_t(v);
}

inline std::vector<uint8_t> tcp_segment(const TcpSpec& t) {
    std::vector<uint8_t> opts = t.options;
    while (opts.size() % 4) opts.push_back(1);
    std::vector<uint8_t> s(20 + opts.size());
    put16(s, 0, t.sport);
    put16(s, 2, t.dport);
    s[12] = uint8_t((s.size() / 4) << 4);
    s[13] = t.flags;
    put16(s, 14, t.window);
    put16(s, 18, t.urgent);
    std::copy(opts.begin(), opts.end(), s.begin() + 20);
    s.insert(s.end(), t.payload.begin(), t.payload.end());
    return s;
}

inline std::vector<uint8_t> udp_datagram(uint16_t sport, uint16_t dport, const std::string& payload) {
    std::vector<uint8_t> s(8);
    put16(s, 0, sport);
    put16(s, 2, dport);
    put16(s, 4, uint16_t(8 + payload.size()));
    s.insert(s.end(), payload.begin(), payload.end());
    return s;
}

inline std::vector<uint8_t> icmp_message(uint8_t type, uint8_t code, uint16_t id = 1, uint16_t seq = 1) {
    std::vector<uint8_t> s(8);
    s[0] = type;
    s[1] = code;
    put16(s, 4, id);
    put16(s, 6, seq);
    return s;
}

struct Ip4Spec {
    std::string src = "10.0.0.2", dst = "10.0.0.1";
    uint8_t protocol = 6;
    uint8_t ttl = 64;
    uint16_t id = 7;
    bool df = false, mf = false;
    uint16_t frag_offset_bytes = 0;
};

inline std::vector<uint8_t> ipv4(const Ip4Spec& s, const std::vector<uint8_t>& l4) {
    std::vector<uint8_t> b(20);
    b[0] = 0x45;
    put16(b, 2, uint16_t(20 + l4.size()));
    put16(b, 4, s.id);
    put16(b, 6, uint16_t((s.df ? 0x4000 : 0) | (s.mf ? 0x2000 : 0) | (s.frag_offset_bytes / 8)));
    b[8] = s.ttl;
    b[9] = s.protocol;
    auto src = common::parse_ip_address(s.src), dst = common::parse_ip_address(s.dst);
    std::copy_n(src->bytes.begin(), 4, b.begin() + 12);
    std::copy_n(dst->bytes.begin(), 4, b.begin() + 16);
    b.insert(b.end(), l4.begin(), l4.end());
    return b;
}

inline std::vector<uint8_t> ipv6(const std::string& src, const std::string& dst, uint8_t next,
                                 const std::vector<uint8_t>& rest) {
    std::vector<uint8_t> b(40);
    b[0] = 0x60;
    put16(b, 4, uint16_t(rest.size()));
    b[6] = next;
    b[7] = 64;
    auto s = common::parse_ip_address(src), d = common::parse_ip_address(dst);
    std::copy_n(s->bytes.begin(), 16, b.begin() + 8);
    std::copy_n(d->bytes.begin(), 16, b.begin() + 24);
    b.insert(b.end(), rest.begin(), rest.end());
    return b;
}

inline std::vector<uint8_t> tcp4(const std::string& src, const TcpSpec& t, bool df = false) {
    Ip4Spec s;
    s.src = src;
    s.df = df;
    return ipv4(s, tcp_segment(t));
}

// A decoded packet that owns its bytes: Packet's payload is a span into the buffer it was
// decoded from, so a test packet must keep that buffer alive for as long as it is copied around.
struct TestPacket : Packet {
    std::shared_ptr<const std::vector<uint8_t>> storage;
};

inline TestPacket decoded(std::vector<uint8_t> bytes) {
    TestPacket p;
    p.storage = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
    decode_packet(*p.storage, p);
    return p;
}

// nmap's raw SYN: window 1024, MSS 1460 only.
inline TcpSpec nmap_syn(uint16_t dport) {
    TcpSpec t;
    t.dport = dport;
    t.sport = 51234;
    t.window = 1024;
    t.options = {2, 4, 0x05, 0xb4};
    return t;
}

// Linux connect(): MSS, SACK permitted, timestamps, window scale.
inline TcpSpec linux_syn(uint16_t dport, uint16_t sport = 45000) {
    TcpSpec t;
    t.dport = dport;
    t.sport = sport;
    t.window = 64240;
    t.options = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
    return t;
}

}  // namespace vigil::network_threat::test
