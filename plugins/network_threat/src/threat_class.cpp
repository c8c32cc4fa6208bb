#include "threat_class.hpp"

#include <array>
#include <string>

namespace vigil::network_threat {

namespace {

// vigil_severity values (events.h): 1 low, 2 medium, 3 high.
constexpr std::array<ClassInfo, kThreatClassCount> kClasses = {{
    {"scan.tcp.syn", "TCP SYN port scan", "T1046", "discovery", 2, false},
    {"scan.tcp.connect", "TCP connect port scan", "T1046", "discovery", 2, false},
    {"scan.tcp.fin", "TCP FIN stealth scan", "T1046", "discovery", 2, false},
    {"scan.tcp.null", "TCP NULL stealth scan", "T1046", "discovery", 2, false},
    {"scan.tcp.xmas", "TCP Xmas stealth scan", "T1046", "discovery", 2, false},
    {"scan.tcp.maimon", "TCP Maimon (FIN/ACK) scan", "T1046", "discovery", 2, false},
    {"scan.tcp.ack", "TCP ACK / window scan", "T1046", "discovery", 2, false},
    {"scan.tcp.custom", "TCP scan with custom flags", "T1046", "discovery", 2, false},
    {"scan.udp", "UDP port scan", "T1046", "discovery", 2, false},
    {"scan.sctp", "SCTP port scan", "T1046", "discovery", 2, false},
    {"scan.ip_protocol", "IP protocol scan", "T1046", "discovery", 2, false},
    {"scan.slow", "Slow port scan", "T1046", "discovery", 1, false},
    {"recon.os_fingerprint", "Remote OS fingerprinting", "T1595", "reconnaissance", 2, false},
    {"flood.syn", "SYN flood", "T1499.001", "impact", 3, false},
    {"flood.udp", "UDP flood", "T1498.001", "impact", 3, false},
    {"flood.icmp", "ICMP flood", "T1498.001", "impact", 3, false},
    {"flood.distributed", "Distributed or spoofed-source flood", "T1498.001", "impact", 3, true},
    {"malformed.land", "Land attack (own address as source)", "T1499", "impact", 3, false},
    {"malformed.tcp_flags", "Invalid TCP flag combination", "T1595", "reconnaissance", 2, false},
    {"malformed.fragment", "IP fragment anomaly", "T1499", "impact", 2, false},
    {"exploit", "Network exploit signature", "T1190", "initial-access", 3, false},
}};

}  // namespace

const ClassInfo& class_info(ThreatClass c) { return kClasses[size_t(c)]; }

std::optional<ThreatClass> parse_threat_class(std::string_view name) {
    for (size_t i = 0; i < kClasses.size(); ++i)
        if (kClasses[i].name == name) return ThreatClass(i);
    return std::nullopt;
}

std::string threat_tags(ThreatClass c) {
    const auto& i = class_info(c);
    std::string t = "attack.";
    for (char ch : i.technique) t.push_back(ch == 'T' ? 't' : ch);
    return t + ",attack." + std::string(i.tactic);
}

}  // namespace vigil::network_threat
