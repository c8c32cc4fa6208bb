#include "behavior_sigma/field.hpp"

#include <array>

#include "ascii.hpp"

namespace vigil::behavior::sigma {

namespace {
constexpr std::array<std::string_view, kFieldCount> kNames = {
    "Image",          "CommandLine",   "ParentImage",       "ParentCommandLine", "User",
    "CurrentDirectory", "ProcessId",   "ParentProcessId",   "Hashes",            "TargetFilename",
    "SourceFilename", "DestinationIp", "DestinationPort",   "DestinationHostname", "DestinationIsIpv6",
    "SourceIp",       "SourcePort",    "SourceHostname",    "SourceIsIpv6",      "Initiated",         "Protocol",
};
}  // namespace

std::optional<FieldId> field_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (iequals(kNames[i], name)) return static_cast<FieldId>(i);
    return std::nullopt;
}

std::string_view field_name(FieldId f) { return kNames[static_cast<std::size_t>(f)]; }

}  // namespace vigil::behavior::sigma
