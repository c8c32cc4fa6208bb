#include "packet.hpp"

#include <vigil/enum_table.hpp>

namespace vigil::network_threat {

namespace {

constexpr uint8_t kProtoHopByHop = 0, kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoRouting = 43,
                  kProtoFragment = 44, kProtoAh = 51, kProtoIcmp6 = 58, kProtoNoNext = 59,
                  kProtoDestOpts = 60, kProtoSctp = 132, kProtoUdpLite = 136;
// More extension headers than this is itself an evasion attempt; stop there.
constexpr int kMaxExtensionHeaders = 8;

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

void decode_tcp_options(std::span<const uint8_t> opts, TcpOptions& o) {
    o.present = !opts.empty();
    size_t i = 0;
    while (i < opts.size() && o.count < 40) {
        const uint8_t kind = opts[i];
        ++o.count;
        if (kind == 0) break;  // end of list
        if (kind == 1) {       // NOP
            ++i;
            continue;
        }
        if (i + 1 >= opts.size()) break;
        const uint8_t len = opts[i + 1];
        if (len < 2 || i + len > opts.size()) break;
        const uint8_t* v = opts.data() + i + 2;
        if (kind == 2 && len == 4) {
            o.mss = true;
            o.mss_value = be16(v);
        } else if (kind == 3 && len == 3) {
            o.wscale = true;
            o.wscale_value = v[0];
        } else if (kind == 4 && len == 2) {
            o.sack_ok = true;
        } else if (kind == 8 && len == 10) {
            o.timestamp = true;
            o.ts_value = be32(v);
        }
        i += len;
    }
}

void decode_tcp(std::span<const uint8_t> l4, Packet& p) {
    if (l4.size() < 20) {
        p.truncated = true;
        return;
    }
    p.transport = Transport::tcp;
    p.sport = be16(&l4[0]);
    p.dport = be16(&l4[2]);
    const size_t header = size_t(l4[12] >> 4) * 4;
    p.tcp_reserved = l4[12] & 0x0f;
    p.tcp_flags = l4[13];
    p.tcp_window = be16(&l4[14]);
    p.tcp_urgent = be16(&l4[18]);
    if (header < 20) return;  // a lie about its own length: flags are still evidence
    if (header > l4.size()) {
        p.truncated = true;
        decode_tcp_options(l4.subspan(20), p.tcp_options);
        return;
    }
    decode_tcp_options(l4.subspan(20, header - 20), p.tcp_options);
    p.payload = l4.subspan(header);
}

void decode_transport(std::span<const uint8_t> l4, Packet& p) {
    switch (p.protocol) {
        case kProtoTcp:
            decode_tcp(l4, p);
            return;
        case kProtoUdp:
        case kProtoUdpLite:
            if (l4.size() < 8) break;
            p.transport = Transport::udp;
            p.sport = be16(&l4[0]);
            p.dport = be16(&l4[2]);
            p.payload = l4.subspan(8);
            return;
        case kProtoIcmp:
        case kProtoIcmp6:
            if (l4.size() < 8) break;
            p.transport = p.protocol == kProtoIcmp ? Transport::icmp : Transport::icmp6;
            p.icmp_type = l4[0];
            p.icmp_code = l4[1];
            p.icmp_id = be16(&l4[4]);
            p.icmp_seq = be16(&l4[6]);
            p.payload = l4.subspan(8);
            return;
        case kProtoSctp:
            if (l4.size() < 12) break;
            p.transport = Transport::sctp;
            p.sport = be16(&l4[0]);
            p.dport = be16(&l4[2]);
            if (l4.size() > 12) p.sctp_chunk = l4[12];
            p.payload = l4.subspan(12);
            return;
        default:
            p.transport = Transport::other;
            p.payload = l4;
            return;
    }
    p.truncated = true;
}

DecodeError decode_v4(std::span<const uint8_t> b, Packet& p) {
    if (b.size() < 20) return DecodeError::short_ip_header;
    const size_t ihl = size_t(b[0] & 0x0f) * 4;
    if (ihl < 20) return DecodeError::bad_header_length;
    if (ihl > b.size()) return DecodeError::short_ip_header;
    p.tos = b[1];
    p.total_length = be16(&b[2]);
    if (p.total_length < ihl) return DecodeError::bad_total_length;
    p.ip_id = be16(&b[4]);
    p.frag_id = p.ip_id;
    const uint16_t frag = be16(&b[6]);
    p.dont_fragment = frag & 0x4000;
    p.more_fragments = frag & 0x2000;
    p.fragment_offset = uint32_t(frag & 0x1fff) * 8;
    p.fragment = p.more_fragments || p.fragment_offset != 0;
    p.fragment_payload = p.total_length - uint32_t(ihl);
    p.l4_length = p.fragment_payload;
    p.ttl = b[8];
    p.protocol = b[9];
    p.src = IpAddress::v4(&b[12]);
    p.dst = IpAddress::v4(&b[16]);
    // The captured bytes may hold link padding beyond total_length.
    const size_t end = p.total_length < b.size() ? p.total_length : b.size();
    if (p.fragment_offset == 0) decode_transport(b.subspan(ihl, end - ihl), p);
    return DecodeError::none;
}

// Walks the IPv6 extension headers up to the upper-layer header; fills the
// fragment fields. Returns the offset of the upper-layer header or 0 when the
// chain is cut (truncated) or too long.
DecodeError walk_v6_extensions(std::span<const uint8_t> b, Packet& p, size_t& offset) {
    uint8_t next = b[6];
    offset = 40;
    for (int n = 0;; ++n) {
        if (next != kProtoHopByHop && next != kProtoRouting && next != kProtoFragment &&
            next != kProtoDestOpts && next != kProtoAh)
            break;
        if (n >= kMaxExtensionHeaders) return DecodeError::too_many_extension_headers;
        if (offset + 8 > b.size()) {
            p.truncated = true;
            p.protocol = next;
            offset = 0;
            return DecodeError::none;
        }
        const uint8_t* h = b.data() + offset;
        size_t len = next == kProtoFragment ? 8
                     : next == kProtoAh     ? (size_t(h[1]) + 2) * 4
                                            : (size_t(h[1]) + 1) * 8;
        if (next == kProtoFragment) {
            const uint16_t off = be16(h + 2);
            p.fragment_offset = uint32_t(off & 0xfff8);
            p.more_fragments = off & 1;
            p.fragment = true;
            p.frag_id = be32(h + 4);
            p.ip_id = uint16_t(p.frag_id);
        }
        next = h[0];
        offset += len;
    }
    p.protocol = next;
    return DecodeError::none;
}

DecodeError decode_v6(std::span<const uint8_t> b, Packet& p) {
    if (b.size() < 40) return DecodeError::short_ip_header;
    p.tos = uint8_t((b[0] & 0x0f) << 4 | b[1] >> 4);
    p.total_length = uint32_t(be16(&b[4])) + 40;
    p.ttl = b[7];
    p.src = IpAddress::v6(&b[8]);
    p.dst = IpAddress::v6(&b[24]);
    size_t offset = 0;
    if (auto e = walk_v6_extensions(b, p, offset); e != DecodeError::none) return e;
    const size_t end = p.total_length < b.size() ? p.total_length : b.size();
    if (offset == 0) return DecodeError::none;
    if (offset > end) {
        p.truncated = true;
        return DecodeError::none;
    }
    p.fragment_payload = uint32_t(p.total_length > offset ? p.total_length - offset : 0);
    p.l4_length = p.fragment_payload;
    if (p.protocol == kProtoNoNext) {
        p.transport = Transport::other;
        return DecodeError::none;
    }
    if (p.fragment_offset == 0) decode_transport(b.subspan(offset, end - offset), p);
    return DecodeError::none;
}

// clang-format off
constexpr EnumName<DecodeError> kDecodeErrorTexts[] = {
    {DecodeError::none, "ok"}, {DecodeError::empty, "empty packet"},
    {DecodeError::bad_version, "not IPv4 or IPv6"}, {DecodeError::short_ip_header, "IP header cut short"},
    {DecodeError::bad_header_length, "IPv4 header length below 20"},
    {DecodeError::bad_total_length, "IPv4 total length below its header length"},
    {DecodeError::too_many_extension_headers, "more than 8 IPv6 extension headers"}};
// clang-format on

}  // namespace

std::string_view decode_error_text(DecodeError e) {
    return vigil::enum_name(kDecodeErrorTexts, e, "unknown");
}

DecodeError decode_packet(std::span<const uint8_t> bytes, Packet& out) {
    out = Packet{};
    if (bytes.empty()) return DecodeError::empty;
    switch (bytes[0] >> 4) {
        case 4:
            return decode_v4(bytes, out);
        case 6:
            return decode_v6(bytes, out);
        default:
            return DecodeError::bad_version;
    }
}

}  // namespace vigil::network_threat
