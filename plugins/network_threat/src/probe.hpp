// What one logged packet says about its sender: which kind of probe it is
// (in nmap's terms), whether it is an OS-fingerprinting probe, whether its
// TCP flags are invalid, and whether it is ordinary noise (a late reply of
// a server to a closed ephemeral port, broadcast services) that must never
// count.
#pragma once

#include <cstdint>
#include <string_view>

#include "packet.hpp"
#include "signal.hpp"
#include "threat_class.hpp"

namespace vigil::network_threat {

enum class ProbeKind : uint8_t {
    none,
    tcp_syn_raw,  // crafted SYN (nmap -sS, masscan): small window, no timestamp
    tcp_syn_os,   // SYN of the operating system's connect() (nmap -sT)
    tcp_fin,
    tcp_null,
    tcp_xmas,
    tcp_maimon,
    tcp_ack,
    tcp_custom,
    udp,
    sctp_init,
    sctp_cookie,
    sctp_other,
    ip_protocol,
};
inline constexpr size_t kProbeKindCount = size_t(ProbeKind::ip_protocol) + 1;

// nmap -O probes (nmap's names): SEQ, ECN, T2-T7, IE, U1.
enum class OsProbe : uint8_t { none, seq, ecn, t2, t3, t4, t5, t6, t7, ie, u1 };
inline constexpr size_t kOsProbeCount = size_t(OsProbe::u1) + 1;

struct NoiseFilter {
    // The host's ip_local_port_range: where late replies to closed sockets land.
    uint16_t ephemeral_low = 32768;
    uint16_t ephemeral_high = 60999;
    bool ephemeral(uint16_t port) const { return port >= ephemeral_low && port <= ephemeral_high; }
    // Source ports servers answer from (DNS, NTP, HTTPS/QUIC, ...).
    static bool server_port(uint16_t port);
    // Broadcast and multicast services whose traffic reaches closed ports by design.
    static bool broadcast_service(uint16_t port);
};

struct Probe {
    ProbeKind kind = ProbeKind::none;
    OsProbe os = OsProbe::none;
    bool invalid_flags = false;  // SYN with FIN or RST
    bool noise = false;
    bool failed = false;  // the host had nothing listening (counts toward scans)
    uint32_t key = 0;     // distinct target: (protocol << 16 | port), or the protocol for ip_protocol
};

// Classifies packets of the closed, closed_rate, open_odd, protocol and
// icmp_odd signals; other signals give ProbeKind::none.
Probe classify_probe(Signal signal, const Packet& p, const NoiseFilter& noise);

// The scan class a probe kind counts toward.
ThreatClass scan_class(ProbeKind k);
// "nmap -sS", "nmap -sT", ...
std::string_view probe_technique(ProbeKind k);
std::string_view os_probe_name(OsProbe p);
// "SYN", "FIN|PSH|URG", "none"
std::string tcp_flags_text(uint8_t flags);

}  // namespace vigil::network_threat
