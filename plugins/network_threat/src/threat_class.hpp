// The attack classes the plugin reports: name (the threat's rule_id), title,
// MITRE ATT&CK technique and tactic, severity, and whether the class may
// lead to a per-source ban.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::network_threat {

enum class ThreatClass : uint8_t {
    scan_tcp_syn,
    scan_tcp_connect,
    scan_tcp_fin,
    scan_tcp_null,
    scan_tcp_xmas,
    scan_tcp_maimon,
    scan_tcp_ack,
    scan_tcp_custom,
    scan_udp,
    scan_sctp,
    scan_ip_protocol,
    scan_slow,
    recon_os_fingerprint,
    flood_syn,
    flood_udp,
    flood_icmp,
    flood_distributed,
    malformed_land,
    malformed_tcp_flags,
    malformed_fragment,
    exploit,
};
inline constexpr size_t kThreatClassCount = size_t(ThreatClass::exploit) + 1;

struct ClassInfo {
    std::string_view name;       // "scan.tcp.syn"
    std::string_view title;      // "TCP SYN port scan"
    std::string_view technique;  // "T1046"
    std::string_view tactic;     // "discovery"
    uint8_t severity;            // vigil_severity
    bool host_level;             // reported for the host, never attributed to one source
};

const ClassInfo& class_info(ThreatClass c);
std::optional<ThreatClass> parse_threat_class(std::string_view name);
// "attack.t1046,attack.discovery"
std::string threat_tags(ThreatClass c);

}  // namespace vigil::network_threat
