#include "term_catalog.hpp"

#include <unordered_map>
#include <vigil/enum_table.hpp>

namespace vigil::ioc_scanner {

namespace {

using V = ValueType;
using C = Cost;
using D = Document;
using T = TermId;

const std::vector<Term>& table() {
    static const std::vector<Term> terms = {
        {T::FileFullPath, "FileItem/FullPath", D::File, V::String, C::Free},
        {T::FileFilePath, "FileItem/FilePath", D::File, V::String, C::Free},
        {T::FileFileName, "FileItem/FileName", D::File, V::String, C::Free},
        {T::FileFileExtension, "FileItem/FileExtension", D::File, V::String, C::Free},
        {T::FileSizeInBytes, "FileItem/SizeInBytes", D::File, V::Int, C::Stat},
        {T::FileMd5sum, "FileItem/Md5sum", D::File, V::Hash, C::Hash},
        {T::FileSha1sum, "FileItem/Sha1sum", D::File, V::Hash, C::Hash},
        {T::FileSha256sum, "FileItem/Sha256sum", D::File, V::Hash, C::Hash},
        {T::FileCreated, "FileItem/Created", D::File, V::Date, C::Stat},
        {T::FileModified, "FileItem/Modified", D::File, V::Date, C::Stat},
        {T::FileAccessed, "FileItem/Accessed", D::File, V::Date, C::Stat},
        {T::FileChanged, "FileItem/Changed", D::File, V::Date, C::Stat},
        {T::FileUsername, "FileItem/Username", D::File, V::String, C::Lookup},
        {T::FileGroup, "FileItem/Group", D::File, V::String, C::Lookup},
        {T::FileGroupId, "FileItem/GroupID", D::File, V::Int, C::Stat},
        {T::FileSecurityId, "FileItem/SecurityID", D::File, V::String, C::Stat},
        {T::FilePermissions, "FileItem/Permissions", D::File, V::Int, C::Stat},
        {T::FileINode, "FileItem/INode", D::File, V::Int, C::Stat},
        {T::FileStringListString, "FileItem/StringList/string", D::File, V::String, C::Strings},

        {T::ProcName, "ProcessItem/name", D::Process, V::String, C::Free},
        {T::ProcPid, "ProcessItem/pid", D::Process, V::Int, C::Free},
        {T::ProcParentPid, "ProcessItem/parentpid", D::Process, V::Int, C::Free},
        {T::ProcPath, "ProcessItem/path", D::Process, V::String, C::Free},
        {T::ProcArguments, "ProcessItem/arguments", D::Process, V::String, C::Free},
        {T::ProcUsername, "ProcessItem/Username", D::Process, V::String, C::Free},
        {T::ProcSecurityId, "ProcessItem/SecurityID", D::Process, V::String, C::Free},
        {T::ProcStartTime, "ProcessItem/startTime", D::Process, V::Date, C::Free},
        {T::ProcHandleName, "ProcessItem/HandleList/Handle/Name", D::Process, V::String, C::Handles},
        {T::ProcHandleType, "ProcessItem/HandleList/Handle/Type", D::Process, V::String, C::Handles},
        {T::ProcHandleFd, "ProcessItem/HandleList/Handle/FileDescriptor", D::Process, V::Int, C::Handles},
        {T::ProcHandleINode, "ProcessItem/HandleList/Handle/INode", D::Process, V::Int, C::Handles},
        {T::ProcHandleSocketType, "ProcessItem/HandleList/Handle/SocketType", D::Process, V::String,
         C::Handles},
        {T::ProcHandleSocketProtocol, "ProcessItem/HandleList/Handle/SocketProtocol", D::Process, V::String,
         C::Handles},
        {T::ProcHandleSocketState, "ProcessItem/HandleList/Handle/SocketState", D::Process, V::String,
         C::Handles},
        {T::ProcHandleSocketLocalAddress, "ProcessItem/HandleList/Handle/SocketLocalAddress", D::Process,
         V::Ip, C::Handles},
        {T::ProcHandleSocketLocalPort, "ProcessItem/HandleList/Handle/SocketLocalPort", D::Process, V::Int,
         C::Handles},
        {T::ProcHandleSocketRemoteAddress, "ProcessItem/HandleList/Handle/SocketRemoteAddress", D::Process,
         V::Ip, C::Handles},
        {T::ProcHandleSocketRemotePort, "ProcessItem/HandleList/Handle/SocketRemotePort", D::Process, V::Int,
         C::Handles},
        {T::ProcPortLocalIp, "ProcessItem/PortList/PortItem/localIP", D::Process, V::Ip, C::Handles},
        {T::ProcPortLocalPort, "ProcessItem/PortList/PortItem/localPort", D::Process, V::Int, C::Handles},
        {T::ProcPortRemoteIp, "ProcessItem/PortList/PortItem/remoteIP", D::Process, V::Ip, C::Handles},
        {T::ProcPortRemotePort, "ProcessItem/PortList/PortItem/remotePort", D::Process, V::Int, C::Handles},
        {T::ProcPortProtocol, "ProcessItem/PortList/PortItem/protocol", D::Process, V::String, C::Handles},
        {T::ProcPortState, "ProcessItem/PortList/PortItem/state", D::Process, V::String, C::Handles},
        // The dictionary marks it Windows-only; on Linux the mapped files of a
        // process (libraries, LD_PRELOAD implants) are its memory sections.
        {T::ProcMemorySectionName, "ProcessItem/SectionList/MemorySection/Name", D::Process, V::String,
         C::Maps},

        {T::PortLocalIp, "PortItem/localIP", D::Port, V::Ip, C::Free},
        {T::PortLocalPort, "PortItem/localPort", D::Port, V::Int, C::Free},
        {T::PortRemoteIp, "PortItem/remoteIP", D::Port, V::Ip, C::Free},
        {T::PortRemotePort, "PortItem/remotePort", D::Port, V::Int, C::Free},
        {T::PortProtocol, "PortItem/protocol", D::Port, V::String, C::Free},
        {T::PortState, "PortItem/state", D::Port, V::String, C::Free},
        {T::PortPid, "PortItem/pid", D::Port, V::Int, C::Free},
        {T::PortProcess, "PortItem/process", D::Port, V::String, C::Free},
        {T::PortPath, "PortItem/path", D::Port, V::String, C::Free},
        {T::PortIsIpv6, "PortItem/isIPv6", D::Port, V::Bool, C::Free},

        {T::ArpIpv4Address, "ArpEntryItem/IPv4Address", D::Arp, V::Ip, C::Free},
        {T::ArpIpv6Address, "ArpEntryItem/IPv6Address", D::Arp, V::Ip, C::Free},
        {T::ArpPhysicalAddress, "ArpEntryItem/PhysicalAddress", D::Arp, V::String, C::Free},
        {T::ArpInterface, "ArpEntryItem/Interface", D::Arp, V::String, C::Free},
        {T::ArpState, "ArpEntryItem/State", D::Arp, V::String, C::Free},
        {T::ArpIsRouter, "ArpEntryItem/IsRouter", D::Arp, V::Bool, C::Free},

        {T::RouteDestination, "RouteEntryItem/Destination", D::Route, V::Ip, C::Free},
        {T::RouteGateway, "RouteEntryItem/Gateway", D::Route, V::Ip, C::Free},
        {T::RouteInterface, "RouteEntryItem/Interface", D::Route, V::String, C::Free},
        {T::RouteNetmask, "RouteEntryItem/Netmask", D::Route, V::String, C::Free},
        {T::RouteIsIpv6, "RouteEntryItem/IsIPv6", D::Route, V::Bool, C::Free},
        {T::RouteMetric, "RouteEntryItem/Metric", D::Route, V::Int, C::Free},
        {T::RouteFlags, "RouteEntryItem/Flags", D::Route, V::String, C::Free},
        {T::RouteMtu, "RouteEntryItem/MTU", D::Route, V::Int, C::Free},
        {T::RouteType, "RouteEntryItem/RouteType", D::Route, V::String, C::Free},

        {T::DnsHost, "DnsEntryItem/Host", D::Dns, V::String, C::Free},
        {T::DnsRecordName, "DnsEntryItem/RecordName", D::Dns, V::String, C::Free},
        {T::DnsRecordType, "DnsEntryItem/RecordType", D::Dns, V::String, C::Free},
        {T::DnsRecordDataHost, "DnsEntryItem/RecordData/Host", D::Dns, V::String, C::Free},
        {T::DnsRecordDataIpv4, "DnsEntryItem/RecordData/IPv4Address", D::Dns, V::Ip, C::Free},
        {T::DnsRecordDataIpv6, "DnsEntryItem/RecordData/IPv6Address", D::Dns, V::Ip, C::Free},

        {T::UserUsername, "UserItem/Username", D::User, V::String, C::Free},
        {T::UserFullname, "UserItem/fullname", D::User, V::String, C::Free},
        {T::UserHomedirectory, "UserItem/homedirectory", D::User, V::String, C::Free},
        {T::UserShell, "UserItem/shell", D::User, V::String, C::Free},
        {T::UserUserid, "UserItem/userid", D::User, V::Int, C::Free},
        {T::UserGroupname, "UserItem/grouplist/groupname", D::User, V::String, C::Free},
        {T::UserDescription, "UserItem/description", D::User, V::String, C::Free},

        {T::SysHostname, "SystemInfoItem/hostname", D::SystemInfo, V::String, C::Free},
        {T::SysDomain, "SystemInfoItem/domain", D::SystemInfo, V::String, C::Free},
        {T::SysOs, "SystemInfoItem/OS", D::SystemInfo, V::String, C::Free},
        {T::SysProductName, "SystemInfoItem/productName", D::SystemInfo, V::String, C::Free},
        {T::SysKernelVersion, "SystemInfoItem/kernelVersion", D::SystemInfo, V::String, C::Free},
        {T::SysVersion, "SystemInfoItem/version", D::SystemInfo, V::String, C::Free},
        {T::SysMachine, "SystemInfoItem/machine", D::SystemInfo, V::String, C::Free},
        {T::SysPlatform, "SystemInfoItem/platform", D::SystemInfo, V::String, C::Free},
        {T::SysMac, "SystemInfoItem/MAC", D::SystemInfo, V::String, C::Free},
        {T::SysPrimaryIpv4, "SystemInfoItem/primaryIpv4Address", D::SystemInfo, V::Ip, C::Free},
        {T::SysPrimaryIp, "SystemInfoItem/primaryIpAddress", D::SystemInfo, V::Ip, C::Free},
        {T::SysPrimaryIpv6, "SystemInfoItem/primaryIpv6Address", D::SystemInfo, V::Ip, C::Free},
        {T::SysAdapter, "SystemInfoItem/networkArray/networkInfo/adapter", D::SystemInfo, V::String, C::Free},
        {T::SysAdapterMac, "SystemInfoItem/networkArray/networkInfo/MAC", D::SystemInfo, V::String, C::Free},
        {T::SysAdapterIp, "SystemInfoItem/networkArray/networkInfo/ipArray/ipInfo/ipAddress", D::SystemInfo,
         V::Ip, C::Free},
        {T::SysAdapterIpv6, "SystemInfoItem/networkArray/networkInfo/ipArray/ipInfo/ipv6Address",
         D::SystemInfo, V::Ip, C::Free},
        {T::SysUptime, "SystemInfoItem/uptime", D::SystemInfo, V::Duration, C::Free},
        {T::SysDate, "SystemInfoItem/date", D::SystemInfo, V::Date, C::Free},
        {T::SysTimezone, "SystemInfoItem/timezone", D::SystemInfo, V::String, C::Free},
        {T::SysTotalPhysical, "SystemInfoItem/totalphysical", D::SystemInfo, V::Int, C::Free},
        {T::SysAvailPhysical, "SystemInfoItem/availphysical", D::SystemInfo, V::Int, C::Free},
        {T::SysProcessor, "SystemInfoItem/processor", D::SystemInfo, V::String, C::Free},
        {T::SysOsBitness, "SystemInfoItem/OSbitness", D::SystemInfo, V::String, C::Free},

        {T::SvcName, "ServiceItem/name", D::Service, V::String, C::Free},
        {T::SvcDescriptiveName, "ServiceItem/descriptiveName", D::Service, V::String, C::Free},
        {T::SvcDescription, "ServiceItem/description", D::Service, V::String, C::Free},
        {T::SvcPath, "ServiceItem/path", D::Service, V::String, C::Free},
        {T::SvcArguments, "ServiceItem/arguments", D::Service, V::String, C::Free},
        {T::SvcStatus, "ServiceItem/status", D::Service, V::String, C::Free},
        {T::SvcMode, "ServiceItem/mode", D::Service, V::String, C::Free},
        {T::SvcStartedAs, "ServiceItem/startedAs", D::Service, V::String, C::Free},
        {T::SvcType, "ServiceItem/type", D::Service, V::String, C::Free},
        {T::SvcPid, "ServiceItem/pid", D::Service, V::Int, C::Free},
    };
    return terms;
}

struct Index {
    std::unordered_map<std::string, const Term*> exact, folded;
    std::vector<const Term*> by_id;
    Index() {
        by_id.resize(size_t(kTermCount), nullptr);
        for (const auto& t : table()) {
            exact.emplace(t.name, &t);
            folded.emplace(fold(t.name), &t);
            by_id[size_t(t.id)] = &t;
        }
    }
};

const Index& index() {
    static const Index idx;
    return idx;
}

// clang-format off
constexpr vigil::EnumName<Document> kDocumentNames[] = {
    {D::File, "FileItem"}, {D::Process, "ProcessItem"}, {D::Port, "PortItem"}, {D::Arp, "ArpEntryItem"},
    {D::Route, "RouteEntryItem"}, {D::Dns, "DnsEntryItem"}, {D::User, "UserItem"},
    {D::SystemInfo, "SystemInfoItem"}, {D::Service, "ServiceItem"}};
// clang-format on

}  // namespace

const char* document_name(Document d) { return vigil::enum_name(kDocumentNames, d, "?"); }

std::optional<Document> document_from_name(std::string_view name) {
    for (int i = 0; i < kDocumentCount; ++i)
        if (iequals(name, document_name(Document(i)))) return Document(i);
    return std::nullopt;
}

const Term& term(TermId id) { return *index().by_id.at(size_t(id)); }

const Term* find_term(std::string_view search) {
    const auto& idx = index();
    if (auto it = idx.exact.find(std::string(search)); it != idx.exact.end()) return it->second;
    if (auto it = idx.folded.find(fold(search)); it != idx.folded.end()) return it->second;
    return nullptr;
}

const std::vector<Term>& all_terms() { return table(); }

}  // namespace vigil::ioc_scanner
