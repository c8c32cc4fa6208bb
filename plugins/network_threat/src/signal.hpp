// Why the kernel handed a packet over: each nftables rule of the plugin's
// table logs with a prefix "vnt:<signal>" naming the condition it matched.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::network_threat {

enum class Signal : uint8_t {
    closed,       // TCP/UDP/SCTP to a port without a socket, first time in the dedupe window
    closed_rate,  // a source over the flood rate with packets to closed ports
    open_odd,     // odd TCP packet (flags, options) to a port with a socket
    syn_rate,     // a source over the SYN rate to open ports
    udp_rate,     // a source over the UDP rate to open ports
    icmp_rate,    // a source over the ICMP echo rate
    icmp_odd,     // ICMP echo with a code, timestamp / mask / information requests
    protocol,     // an IP protocol the host has no port-based handler for
    land,         // the source address is one of the host's own
    fragment,     // an IP fragment, before reassembly
    signature,    // an early payload packet of a flow to a signature port
    syn_global,   // the whole host over the distributed SYN rate
    udp_global,   // ... UDP rate
    icmp_global,  // ... ICMP echo rate
};

inline constexpr std::string_view kSignalPrefix = "vnt:";

std::string_view signal_name(Signal s);
// "vnt:closed" -> Signal::closed; nullopt for anything else.
std::optional<Signal> parse_signal(std::string_view prefix);

}  // namespace vigil::network_threat
