// How a finding and its decision are told: the threat event's title,
// description and evidence JSON, and the status counters per class.
#pragma once

#include <cstdint>
#include <string>

#include "finding.hpp"
#include "policy.hpp"
#include "probe.hpp"

namespace vigil::network_threat {

// "TCP SYN port scan from 10.0.0.2"
std::string threat_title(const Finding& f);
// One sentence: what was seen, where, and what was done.
std::string threat_description(const Finding& f, const Decision& d);
// The evidence object (threat.details_json).
std::string evidence_json(const Finding& f, const Decision& d);
// "tcp/22", "udp/53", "sctp/80", "protocol 47"
std::string target_text(uint32_t target);

}  // namespace vigil::network_threat
