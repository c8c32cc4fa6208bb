// The Sigma field names our events fill. The README's field mapping table is
// the documentation of what each one holds.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::behavior::sigma {

enum class FieldId : std::uint8_t {
    // the acting process (every category, when the process is known)
    Image,
    CommandLine,
    ParentImage,
    ParentCommandLine,
    User,
    CurrentDirectory,
    ProcessId,
    ParentProcessId,
    Hashes,
    // files
    TargetFilename,
    SourceFilename,
    // network
    DestinationIp,
    DestinationPort,
    DestinationHostname,
    DestinationIsIpv6,
    SourceIp,
    SourcePort,
    SourceHostname,
    SourceIsIpv6,
    Initiated,
    Protocol,
};
inline constexpr std::size_t kFieldCount = 21;

// A set of fields, indexed by FieldId: e.g. the fields the loaded rules read.
using FieldMask = std::bitset<kFieldCount>;

// Field names compare case-insensitively ("image" finds Image).
std::optional<FieldId> field_from_name(std::string_view name);
std::string_view field_name(FieldId f);

}  // namespace vigil::behavior::sigma
