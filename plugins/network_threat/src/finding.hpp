// A detection ready to be reported: the class, who, what was seen (the
// evidence aggregated over the episode), and what the engine suggests about
// acting on it. The policy decides the action.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "packet.hpp"
#include "threat_class.hpp"

namespace vigil::network_threat {

enum class Tier : uint8_t { instant, fast, medium, slow };
std::string_view tier_name(Tier t);

struct Evidence {
    IpAddress source;               // empty for host-level findings
    IpAddress destination;          // the local address last targeted
    uint64_t packets = 0;           // packets of this class seen in the episode (logged ones)
    uint32_t distinct = 0;          // distinct targets (ports, protocols, probe kinds)
    std::vector<uint32_t> targets;  // sample of distinct targets (protocol << 16 | port)
    std::vector<std::pair<uint8_t, uint32_t>> tcp_flags;  // flags -> packets
    std::string technique;
    Tier tier = Tier::instant;
    uint32_t window_s = 0;
    int64_t first_ms = 0, last_ms = 0;
    // Class-specific notes: nmap -O probe names, fragment anomalies,
    // signatures ("sid:9100010 Shellshock ..."), flood rates. At most kMaxDetails.
    std::vector<std::string> details;
};

inline constexpr size_t kTargetSample = 32;
inline constexpr size_t kMaxDetails = 16;

struct Finding {
    ThreatClass cls = ThreatClass::scan_tcp_syn;
    Evidence evidence;
    bool first = true;         // the first report of this episode (act on it)
    bool notify_only = false;  // never ban for it (slow tier, decoy group, host level)
    std::string notify_reason;
    std::vector<IpAddress> decoy_group;  // other sources that probed the same targets at once
    std::string rule_id;                 // overrides the class name (exploit signatures: "sid:N")
    std::string title;                   // overrides the class title when set
};

// Adds a target to the evidence (keeps the sample bounded and distinct).
void add_target(Evidence& e, uint32_t target);
void add_flags(Evidence& e, uint8_t flags);
// Adds a note unless present (bounded).
void add_detail(Evidence& e, std::string note);

}  // namespace vigil::network_threat
