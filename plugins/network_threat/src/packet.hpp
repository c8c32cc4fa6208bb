// Decoding of one IPv4 or IPv6 packet (network header first, as NFLOG hands
// it over) into the fields the detectors use. The bytes are hostile: every
// length is checked against what was captured, and a packet cut by the
// capture length decodes as far as it goes (`truncated`).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vigil/common/ip_address.hpp>

namespace vigil::network_threat {

using common::IpAddress;

// TCP flag bits as on the wire (low byte of the flags word).
namespace tcpflag {
constexpr uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20, ece = 0x40,
                  cwr = 0x80;
}

enum class Transport : uint8_t { none, tcp, udp, icmp, icmp6, sctp, other };

struct TcpOptions {
    bool present = false;
    bool mss = false, wscale = false, sack_ok = false, timestamp = false;
    uint16_t mss_value = 0;
    uint8_t wscale_value = 0;
    uint32_t ts_value = 0;
    uint8_t count = 0;  // options seen (NOP included)
};

struct Packet {
    IpAddress src, dst;
    uint8_t protocol = 0;       // upper-layer protocol after IPv6 extension headers
    uint8_t ttl = 0;            // hop limit for IPv6
    uint8_t tos = 0;            // traffic class for IPv6
    uint16_t ip_id = 0;         // IPv4 identification (low 16 bits of the IPv6 fragment id)
    uint32_t frag_id = 0;       // IPv4 id or IPv6 fragment identification
    uint32_t total_length = 0;  // as the header says
    bool dont_fragment = false;
    bool fragment = false;  // any fragment (first, middle or last)
    bool more_fragments = false;
    uint32_t fragment_offset = 0;   // bytes
    uint32_t fragment_payload = 0;  // bytes of this fragment after the IP headers (per header)
    uint32_t l4_length = 0;         // bytes after the IP headers, as the headers say

    Transport transport = Transport::none;
    uint16_t sport = 0, dport = 0;  // TCP, UDP, SCTP
    uint8_t tcp_flags = 0;
    uint8_t tcp_reserved = 0;  // the 4 reserved bits of the data offset byte
    uint16_t tcp_window = 0;
    uint16_t tcp_urgent = 0;
    TcpOptions tcp_options;
    uint8_t icmp_type = 0, icmp_code = 0;
    uint16_t icmp_id = 0, icmp_seq = 0;
    uint8_t sctp_chunk = 0;  // type of the first chunk

    std::span<const uint8_t> payload;  // transport payload captured (may be cut)
    bool truncated = false;            // the capture ended inside a header
};

enum class DecodeError : uint8_t {
    none,
    empty,
    bad_version,
    short_ip_header,
    bad_header_length,
    bad_total_length,
    too_many_extension_headers,
};

std::string_view decode_error_text(DecodeError e);

// Decodes `bytes` into `out`. Returns DecodeError::none when the IP header is
// valid; a transport header that was not captured leaves transport == none
// and truncated == true. Non-first fragments carry no transport header.
DecodeError decode_packet(std::span<const uint8_t> bytes, Packet& out);

}  // namespace vigil::network_threat
