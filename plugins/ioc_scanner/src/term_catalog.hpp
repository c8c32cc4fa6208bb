// The OpenIOC terms this scanner can evaluate on Linux, with the document
// they belong to, their value type and what it costs to produce them.
// Spellings follow the FireEye/Mandiant term dictionary (current.iocterms);
// lookup tolerates a different letter case.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "value_match.hpp"

namespace vigil::ioc_scanner {

enum class Document { File, Process, Port, Arp, Route, Dns, User, SystemInfo, Service, Count };
constexpr int kDocumentCount = int(Document::Count);

const char* document_name(Document d);  // "FileItem", ...
std::optional<Document> document_from_name(std::string_view name);

// What producing a term's value needs; ordered by cost (evaluation tries
// cheaper leaves first so expensive data is computed only when needed).
enum class Cost {
    Free,     // from the directory entry / the collected record
    Stat,     // one lstat()
    Lookup,   // stat + a user/group name lookup
    Hash,     // reading the whole file (once, all requested digests together)
    Strings,  // reading the whole file and extracting printable strings
    Handles,  // reading /proc/PID/fd (processes)
    Maps      // reading /proc/PID/maps (processes)
};

// Stable term ids: records and the file view fill values by id.
enum class TermId : int {
    // FileItem
    FileFullPath,
    FileFilePath,
    FileFileName,
    FileFileExtension,
    FileSizeInBytes,
    FileMd5sum,
    FileSha1sum,
    FileSha256sum,
    FileCreated,
    FileModified,
    FileAccessed,
    FileChanged,
    FileUsername,
    FileGroup,
    FileGroupId,
    FileSecurityId,
    FilePermissions,
    FileINode,
    FileStringListString,
    // ProcessItem
    ProcName,
    ProcPid,
    ProcParentPid,
    ProcPath,
    ProcArguments,
    ProcUsername,
    ProcSecurityId,
    ProcStartTime,
    ProcHandleName,
    ProcHandleType,
    ProcHandleFd,
    ProcHandleINode,
    ProcHandleSocketType,
    ProcHandleSocketProtocol,
    ProcHandleSocketState,
    ProcHandleSocketLocalAddress,
    ProcHandleSocketLocalPort,
    ProcHandleSocketRemoteAddress,
    ProcHandleSocketRemotePort,
    ProcPortLocalIp,
    ProcPortLocalPort,
    ProcPortRemoteIp,
    ProcPortRemotePort,
    ProcPortProtocol,
    ProcPortState,
    ProcMemorySectionName,
    // PortItem
    PortLocalIp,
    PortLocalPort,
    PortRemoteIp,
    PortRemotePort,
    PortProtocol,
    PortState,
    PortPid,
    PortProcess,
    PortPath,
    PortIsIpv6,
    // ArpEntryItem
    ArpIpv4Address,
    ArpIpv6Address,
    ArpPhysicalAddress,
    ArpInterface,
    ArpState,
    ArpIsRouter,
    // RouteEntryItem
    RouteDestination,
    RouteGateway,
    RouteInterface,
    RouteNetmask,
    RouteIsIpv6,
    RouteMetric,
    RouteFlags,
    RouteMtu,
    RouteType,
    // DnsEntryItem
    DnsHost,
    DnsRecordName,
    DnsRecordType,
    DnsRecordDataHost,
    DnsRecordDataIpv4,
    DnsRecordDataIpv6,
    // UserItem
    UserUsername,
    UserFullname,
    UserHomedirectory,
    UserShell,
    UserUserid,
    UserGroupname,
    UserDescription,
    // SystemInfoItem
    SysHostname,
    SysDomain,
    SysOs,
    SysProductName,
    SysKernelVersion,
    SysVersion,
    SysMachine,
    SysPlatform,
    SysMac,
    SysPrimaryIpv4,
    SysPrimaryIp,
    SysPrimaryIpv6,
    SysAdapter,
    SysAdapterMac,
    SysAdapterIp,
    SysAdapterIpv6,
    SysUptime,
    SysDate,
    SysTimezone,
    SysTotalPhysical,
    SysAvailPhysical,
    SysProcessor,
    SysOsBitness,
    // ServiceItem
    SvcName,
    SvcDescriptiveName,
    SvcDescription,
    SvcPath,
    SvcArguments,
    SvcStatus,
    SvcMode,
    SvcStartedAs,
    SvcType,
    SvcPid,
    Count
};
constexpr int kTermCount = int(TermId::Count);

struct Term {
    TermId id;
    const char* name;  // full search path, e.g. "FileItem/FileName"
    Document document;
    ValueType type;
    Cost cost;
};

const Term& term(TermId id);
// Finds a supported term by its search path (exact, then case-insensitive).
const Term* find_term(std::string_view search);
const std::vector<Term>& all_terms();

}  // namespace vigil::ioc_scanner
