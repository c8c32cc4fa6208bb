#include <array>

#include "ascii.hpp"
#include "behavior_sigma/rule.hpp"

namespace vigil::behavior::sigma {

namespace {
constexpr std::array<std::string_view, 5> kLevels = {"informational", "low", "medium", "high", "critical"};
}

std::string_view level_name(Level l) { return kLevels[static_cast<std::size_t>(l)]; }

std::optional<Level> level_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kLevels.size(); ++i)
        if (iequals(kLevels[i], name)) return static_cast<Level>(i);
    return std::nullopt;
}

vigil_severity to_severity(Level l) {
    switch (l) {
    case Level::Informational: return VIGIL_SEV_INFO;
    case Level::Low: return VIGIL_SEV_LOW;
    case Level::Medium: return VIGIL_SEV_MEDIUM;
    case Level::High: return VIGIL_SEV_HIGH;
    case Level::Critical: return VIGIL_SEV_CRITICAL;
    }
    return VIGIL_SEV_MEDIUM;
}

std::string join_tags(const RuleInfo& r) {
    std::string out;
    for (const auto& t : r.tags) {
        if (!out.empty()) out += ',';
        out += t;
    }
    return out;
}

}  // namespace vigil::behavior::sigma
