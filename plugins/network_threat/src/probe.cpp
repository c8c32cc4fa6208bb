#include "probe.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace vigil::network_threat {

namespace {

using namespace tcpflag;

constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17, kProtoSctp = 132;
constexpr uint8_t kMain = fin | syn | rst | psh | ack | urg;

// TCP probe kind from the six classic flag bits.
ProbeKind tcp_kind(const Packet& p, bool& invalid) {
    const uint8_t f = p.tcp_flags & kMain;
    invalid = (f & syn) && (f & (fin | rst));
    if (invalid) return ProbeKind::tcp_custom;
    if (f == 0) return ProbeKind::tcp_null;
    if (f == fin) return ProbeKind::tcp_fin;
    if (f == (fin | psh | urg)) return ProbeKind::tcp_xmas;
    if (f == (fin | ack)) return ProbeKind::tcp_maimon;
    if (f == ack) return ProbeKind::tcp_ack;
    if (f == syn) {
        const auto& o = p.tcp_options;
        const bool crafted = !o.timestamp && p.tcp_window <= 4096 && !o.sack_ok && !o.wscale;
        return crafted ? ProbeKind::tcp_syn_raw : ProbeKind::tcp_syn_os;
    }
    if (f & rst) return ProbeKind::none;           // resets are never answered: not probes
    if (f == (syn | ack)) return ProbeKind::none;  // backscatter of someone spoofing this host
    if (f & ack) return ProbeKind::tcp_ack;        // stale data of a flow that is gone
    return ProbeKind::tcp_custom;
}

OsProbe tcp_os_probe(const Packet& p) {
    const uint8_t f = p.tcp_flags & kMain;
    const uint16_t w = p.tcp_window;
    if (f == syn && p.tcp_options.timestamp && p.tcp_options.ts_value == 0xffffffffu &&
        (w == 1 || w == 63 || w == 4 || w == 16 || w == 512))
        return OsProbe::seq;
    if ((p.tcp_flags & (syn | ece | cwr)) == (syn | ece | cwr) && (w == 3 || p.tcp_urgent == 0xf7f5))
        return OsProbe::ecn;
    if (f == 0 && p.dont_fragment && w == 128) return OsProbe::t2;
    if (f == (syn | fin | psh | urg) && w == 256) return OsProbe::t3;
    if (f == ack && p.dont_fragment && w == 1024) return OsProbe::t4;
    if (f == syn && w == 31337) return OsProbe::t5;
    if (f == ack && p.dont_fragment && w == 32768) return OsProbe::t6;
    if (f == (fin | psh | urg) && w == 65535) return OsProbe::t7;
    return OsProbe::none;
}

bool nmap_u1_payload(const Packet& p) {
    // 300 bytes of 'C' (0x43) in a UDP datagram to a closed port.
    if (p.l4_length != 308 || p.payload.size() < 4) return false;
    return std::all_of(p.payload.begin(), p.payload.end(), [](uint8_t b) { return b == 0x43; });
}

Probe classify_tcp(Signal signal, const Packet& p, const NoiseFilter& noise) {
    Probe r;
    r.kind = tcp_kind(p, r.invalid_flags);
    r.os = tcp_os_probe(p);
    r.failed = signal != Signal::open_odd;
    r.key = uint32_t(kProtoTcp) << 16 | p.dport;
    // A late ACK/FIN/RST of a server's flow to a closed ephemeral port.
    if ((p.tcp_flags & (ack | rst)) && !(p.tcp_flags & syn) && NoiseFilter::server_port(p.sport) &&
        noise.ephemeral(p.dport))
        r.noise = true;
    return r;
}

Probe classify_udp(const Packet& p, const NoiseFilter& noise) {
    Probe r;
    r.kind = ProbeKind::udp;
    r.failed = true;
    r.key = uint32_t(kProtoUdp) << 16 | p.dport;
    if (nmap_u1_payload(p)) r.os = OsProbe::u1;
    if (NoiseFilter::broadcast_service(p.dport) ||
        (NoiseFilter::server_port(p.sport) && noise.ephemeral(p.dport)))
        r.noise = true;
    return r;
}

Probe classify_icmp(const Packet& p) {
    Probe r;
    // Echo request with a code, or timestamp / information / address-mask requests.
    const bool echo = (p.transport == Transport::icmp && p.icmp_type == 8) ||
                      (p.transport == Transport::icmp6 && p.icmp_type == 128);
    if (echo && p.icmp_code == 9) r.os = OsProbe::ie;
    return r;
}

}  // namespace

bool NoiseFilter::server_port(uint16_t port) {
    static constexpr std::array<uint16_t, 12> kHigh = {1194, 1812, 1813, 3478, 4500,  5060,
                                                       5222, 5349, 8080, 8443, 19302, 51820};
    return (port > 0 && port < 1024) || std::find(kHigh.begin(), kHigh.end(), port) != kHigh.end();
}

bool NoiseFilter::broadcast_service(uint16_t port) {
    // DHCP, NetBIOS name/datagram, SSDP, mDNS, LLMNR, DHCPv6, WS-Discovery.
    static constexpr std::array<uint16_t, 10> kPorts = {67, 68, 137, 138, 546, 547, 1900, 3702, 5353, 5355};
    return std::find(kPorts.begin(), kPorts.end(), port) != kPorts.end();
}

Probe classify_probe(Signal signal, const Packet& p, const NoiseFilter& noise) {
    switch (signal) {
        case Signal::closed:
        case Signal::closed_rate:
        case Signal::open_odd:
            if (p.transport == Transport::tcp) return classify_tcp(signal, p, noise);
            if (signal == Signal::open_odd) return {};
            if (p.transport == Transport::udp) return classify_udp(p, noise);
            if (p.transport == Transport::sctp) {
                Probe r;
                r.kind = p.sctp_chunk == 1    ? ProbeKind::sctp_init
                         : p.sctp_chunk == 10 ? ProbeKind::sctp_cookie
                                              : ProbeKind::sctp_other;
                r.failed = true;
                r.key = uint32_t(kProtoSctp) << 16 | p.dport;
                return r;
            }
            return {};
        case Signal::protocol: {
            Probe r;
            r.kind = ProbeKind::ip_protocol;
            r.failed = true;
            r.key = 0x01000000u | p.protocol;
            return r;
        }
        case Signal::icmp_odd:
            return classify_icmp(p);
        default:
            return {};
    }
}

ThreatClass scan_class(ProbeKind k) {
    using C = ThreatClass;
    // Indexed by ProbeKind like probe_technique(); `none` never reaches a finding.
    static constexpr std::array<ThreatClass, kProbeKindCount> kClasses = {
        C::scan_tcp_custom, C::scan_tcp_syn,    C::scan_tcp_connect, C::scan_tcp_fin,    C::scan_tcp_null,
        C::scan_tcp_xmas,   C::scan_tcp_maimon, C::scan_tcp_ack,     C::scan_tcp_custom, C::scan_udp,
        C::scan_sctp,       C::scan_sctp,       C::scan_sctp,        C::scan_ip_protocol};
    return size_t(k) < kClasses.size() ? kClasses[size_t(k)] : ThreatClass::scan_tcp_custom;
}

std::string_view probe_technique(ProbeKind k) {
    static constexpr std::array<std::string_view, kProbeKindCount> kNames = {
        "",         "nmap -sS", "nmap -sT",     "nmap -sF",         "nmap -sN",
        "nmap -sX", "nmap -sM", "nmap -sA/-sW", "nmap --scanflags", "nmap -sU",
        "nmap -sY", "nmap -sZ", "SCTP probes",  "nmap -sO"};
    return kNames[size_t(k)];
}

std::string_view os_probe_name(OsProbe p) {
    static constexpr std::array<std::string_view, kOsProbeCount> kNames = {
        "", "SEQ", "ECN", "T2", "T3", "T4", "T5", "T6", "T7", "IE", "U1"};
    return kNames[size_t(p)];
}

std::string tcp_flags_text(uint8_t flags) {
    static constexpr std::array<std::string_view, 8> kBits = {"FIN", "SYN", "RST", "PSH",
                                                              "ACK", "URG", "ECE", "CWR"};
    std::string out;
    for (size_t i = 0; i < kBits.size(); ++i)
        if (flags & (1u << i)) out += (out.empty() ? "" : "|") + std::string(kBits[i]);
    return out.empty() ? "none" : out;
}

}  // namespace vigil::network_threat
