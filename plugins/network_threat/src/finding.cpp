#include "finding.hpp"

#include <algorithm>
#include <array>

namespace vigil::network_threat {

std::string_view tier_name(Tier t) {
    static constexpr std::array<std::string_view, 4> kNames = {"instant", "fast", "medium", "slow"};
    return kNames[size_t(t)];
}

void add_target(Evidence& e, uint32_t target) {
    if (std::find(e.targets.begin(), e.targets.end(), target) != e.targets.end()) return;
    if (e.targets.size() >= kTargetSample) return;
    e.targets.push_back(target);
    e.distinct = std::max<uint32_t>(e.distinct, uint32_t(e.targets.size()));
}

void add_flags(Evidence& e, uint8_t flags) {
    for (auto& [f, n] : e.tcp_flags)
        if (f == flags) {
            ++n;
            return;
        }
    if (e.tcp_flags.size() < 16) e.tcp_flags.emplace_back(flags, 1);
}

void add_detail(Evidence& e, std::string note) {
    if (e.details.size() >= kMaxDetails) return;
    if (std::find(e.details.begin(), e.details.end(), note) != e.details.end()) return;
    e.details.push_back(std::move(note));
}

}  // namespace vigil::network_threat
