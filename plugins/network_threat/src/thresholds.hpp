// Detection thresholds per class (documented defaults; the settings may
// change them). Port and probe counts are distinct targets within a window.
#pragma once

#include <cstdint>

namespace vigil::network_threat {

struct Thresholds {
    uint32_t window_s = 60;      // fast tier
    uint32_t tcp_ports = 12;     // SYN, connect, ACK/window scans
    uint32_t stealth_ports = 3;  // FIN, NULL, Xmas, Maimon, custom flags
    uint32_t udp_ports = 10;
    uint32_t sctp_ports = 5;
    uint32_t ip_protocols = 5;
    uint32_t os_probes = 3;          // distinct nmap -O probe kinds
    uint32_t medium_window_s = 300;  // catches nmap -T1 (one probe every 15 s)
    uint32_t medium_ports = 10;
    uint32_t slow_window_s = 7200;  // catches nmap -T0 (one probe every 5 min), notify only
    uint32_t slow_ports = 8;
    uint32_t syn_flood_pps = 2000;  // per source; also the rate of failed probes to one closed port
    uint32_t udp_flood_pps = 5000;
    uint32_t icmp_flood_pps = 1000;
    uint32_t distributed_syn_pps = 20000;  // whole host
    uint32_t distributed_udp_pps = 50000;
    uint32_t distributed_icmp_pps = 20000;
};

// Most distinct targets remembered per source (every threshold is at most this).
inline constexpr uint32_t kMaxDistinctPerSource = 64;

}  // namespace vigil::network_threat
