#include "signal.hpp"

#include <array>

namespace vigil::network_threat {

namespace {
constexpr std::array<std::string_view, 14> kNames = {
    "closed",   "closed_rate", "open_odd", "syn_rate",  "udp_rate",   "icmp_rate",  "icmp_odd",
    "protocol", "land",        "fragment", "signature", "syn_global", "udp_global", "icmp_global",
};
}  // namespace

std::string_view signal_name(Signal s) {
    const auto i = size_t(s);
    return i < kNames.size() ? kNames[i] : "unknown";
}

std::optional<Signal> parse_signal(std::string_view prefix) {
    if (prefix.substr(0, kSignalPrefix.size()) != kSignalPrefix) return std::nullopt;
    prefix.remove_prefix(kSignalPrefix.size());
    for (size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == prefix) return Signal(i);
    return std::nullopt;
}

}  // namespace vigil::network_threat
