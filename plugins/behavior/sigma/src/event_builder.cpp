#include "behavior_sigma/event_builder.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include <vigil/sdk.hpp>

namespace vigil::behavior::sigma {

namespace {

std::string_view sref(const void* base, std::uint32_t size, vigil_sref s) {
    if (s.len == 0 || std::uint64_t(s.off) + s.len > size) return {};
    return {static_cast<const char*>(base) + s.off, s.len};
}

void set_if(SigmaEvent& ev, FieldId f, std::string_view v) {
    if (!v.empty()) ev.set(f, v);
}

// Text form of an address; IPv4-mapped IPv6 addresses print as IPv4 so rules
// written for dotted quads match dual-stack sockets.
std::string address_text(std::uint8_t family, const std::uint8_t (&addr)[16], bool& is_v6) {
    char buf[INET6_ADDRSTRLEN] = {};
    is_v6 = family == AF_INET6;
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (is_v6 && std::equal(std::begin(kMapped), std::end(kMapped), addr)) {
        is_v6 = false;
        inet_ntop(AF_INET, addr + 12, buf, sizeof buf);
    } else if (is_v6) {
        inet_ntop(AF_INET6, addr, buf, sizeof buf);
    } else if (family == AF_INET) {
        inet_ntop(AF_INET, addr, buf, sizeof buf);
    }
    return buf;
}

std::string protocol_name(std::uint8_t proto) {
    switch (proto) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
    default: return std::to_string(proto);
    }
}

void start_event(SigmaEvent& ev, Category c, const FieldsByCategory* wanted) {
    ev.reset(c);
    if (wanted) ev.limit_to((*wanted)[static_cast<std::size_t>(c)]);
}

// The three payload kinds into `ev`; false for a payload the engine does not evaluate.
bool fill_process(SigmaEvent& ev, const void* payload, std::uint32_t size, bool exit, const FieldsByCategory* wanted);
bool fill_network(SigmaEvent& ev, const void* payload, std::uint32_t size, const FieldsByCategory* wanted);
bool fill_file(SigmaEvent& ev, const void* payload, std::uint32_t size, const FieldsByCategory* wanted);

template <class Fill>
std::optional<SigmaEvent> new_event(Fill&& fill) {
    SigmaEvent ev(Category::ProcessCreation);
    if (!fill(ev)) return std::nullopt;
    return ev;
}

}  // namespace

void add_process_fields(SigmaEvent& ev, const void* base, std::uint32_t size, const vigil_process_ctx& c) {
    if (c.struct_size == 0) return;
    std::string_view exe = sref(base, size, c.exe);
    set_if(ev, FieldId::Image, exe);
    set_if(ev, FieldId::CommandLine, sref(base, size, c.cmdline));
    set_if(ev, FieldId::ParentImage, sref(base, size, c.parent_exe));
    set_if(ev, FieldId::ParentCommandLine, sref(base, size, c.parent_cmdline));
    set_if(ev, FieldId::CurrentDirectory, sref(base, size, c.cwd));
    std::string_view user = sref(base, size, c.user);
    bool known = (c.flags & VIGIL_PROC_FLAG_KNOWN) != 0 || !exe.empty();
    if (!user.empty()) ev.set(FieldId::User, user);
    else if (known && ev.wants(FieldId::User)) ev.set(FieldId::User, std::to_string(c.uid));  // no name for the uid
    // Text made only for a field some rule reads.
    if (c.pid > 0 && ev.wants(FieldId::ProcessId)) ev.set(FieldId::ProcessId, std::to_string(c.pid));
    if (c.ppid > 0 && ev.wants(FieldId::ParentProcessId)) ev.set(FieldId::ParentProcessId, std::to_string(c.ppid));
    if (auto sha = sref(base, size, c.sha256); !sha.empty() && ev.wants(FieldId::Hashes))
        ev.set(FieldId::Hashes, "SHA256=" + std::string(sha));
}

namespace {

bool fill_process(SigmaEvent& ev, const void* payload, std::uint32_t size, bool exit, const FieldsByCategory* wanted) {
    auto v = vigil::view<vigil_process_event>(payload, size);
    if (!v.valid) return false;
    start_event(ev, exit ? Category::ProcessTermination : Category::ProcessCreation, wanted);
    add_process_fields(ev, payload, size, v->process);
    return true;
}

bool fill_network(SigmaEvent& ev, const void* payload, std::uint32_t size, const FieldsByCategory* wanted) {
    auto v = vigil::view<vigil_network_event>(payload, size);
    if (!v.valid) return false;
    bool outbound = v->action == VIGIL_NET_CONNECT;
    if (!outbound && v->action != VIGIL_NET_ACCEPT) return false;

    start_event(ev, Category::NetworkConnection, wanted);
    add_process_fields(ev, payload, size, v->process);
    bool local_v6 = false, remote_v6 = false;
    std::string local = address_text(v->family, v->local_addr, local_v6);
    std::string remote = address_text(v->family, v->remote_addr, remote_v6);
    // Sysmon's convention: Source is the side that initiated the connection.
    FieldId src_ip = FieldId::SourceIp, src_port = FieldId::SourcePort, src_v6 = FieldId::SourceIsIpv6;
    FieldId dst_ip = FieldId::DestinationIp, dst_port = FieldId::DestinationPort, dst_v6 = FieldId::DestinationIsIpv6;
    if (!outbound) {
        std::swap(src_ip, dst_ip);
        std::swap(src_port, dst_port);
        std::swap(src_v6, dst_v6);
    }
    set_if(ev, src_ip, local);
    set_if(ev, dst_ip, remote);
    ev.set(src_port, std::to_string(v->local_port));
    ev.set(dst_port, std::to_string(v->remote_port));
    ev.set(src_v6, local_v6 ? "true" : "false");
    ev.set(dst_v6, remote_v6 ? "true" : "false");
    set_if(ev, outbound ? FieldId::DestinationHostname : FieldId::SourceHostname, v.str(v->remote_hostname));
    ev.set(FieldId::Initiated, outbound ? "true" : "false");
    ev.set(FieldId::Protocol, protocol_name(v->protocol));
    return true;
}

bool fill_file(SigmaEvent& ev, const void* payload, std::uint32_t size, const FieldsByCategory* wanted) {
    auto v = vigil::view<vigil_file_event>(payload, size);
    if (!v.valid) return false;
    std::optional<Category> cat;
    switch (v->action) {
    case VIGIL_FILE_CREATE:
    case VIGIL_FILE_MODIFY: cat = Category::FileEvent; break;
    case VIGIL_FILE_DELETE: cat = Category::FileDelete; break;
    case VIGIL_FILE_RENAME: cat = Category::FileRename; break;
    case VIGIL_FILE_OPEN: cat = Category::FileAccess; break;
    default: return false;  // chmod/chown: no Sigma category
    }
    start_event(ev, *cat, wanted);
    add_process_fields(ev, payload, size, v->process);
    if (*cat == Category::FileRename) {
        set_if(ev, FieldId::SourceFilename, v.str(v->path));
        set_if(ev, FieldId::TargetFilename, v.str(v->new_path));
    } else {
        set_if(ev, FieldId::TargetFilename, v.str(v->path));
    }
    return true;
}

}  // namespace

std::optional<SigmaEvent> event_from_process(const void* payload, std::uint32_t size, bool exit,
                                             const FieldsByCategory* wanted) {
    return new_event([&](SigmaEvent& ev) { return fill_process(ev, payload, size, exit, wanted); });
}

std::optional<SigmaEvent> event_from_network(const void* payload, std::uint32_t size,
                                             const FieldsByCategory* wanted) {
    return new_event([&](SigmaEvent& ev) { return fill_network(ev, payload, size, wanted); });
}

std::optional<SigmaEvent> event_from_file(const void* payload, std::uint32_t size, const FieldsByCategory* wanted) {
    return new_event([&](SigmaEvent& ev) { return fill_file(ev, payload, size, wanted); });
}

bool event_into(SigmaEvent& ev, std::uint32_t type_id, const void* payload, std::uint32_t size,
                const FieldsByCategory* wanted) {
    switch (type_id) {
    case VIGIL_TYPE_PROCESS_START: return fill_process(ev, payload, size, false, wanted);
    case VIGIL_TYPE_PROCESS_EXIT: return fill_process(ev, payload, size, true, wanted);
    case VIGIL_TYPE_NETWORK: return fill_network(ev, payload, size, wanted);
    case VIGIL_TYPE_FILE: return fill_file(ev, payload, size, wanted);
    default: return false;
    }
}

std::optional<SigmaEvent> event_from_message(std::uint32_t type_id, const void* payload, std::uint32_t size,
                                             const FieldsByCategory* wanted) {
    return new_event([&](SigmaEvent& ev) { return event_into(ev, type_id, payload, size, wanted); });
}

}  // namespace vigil::behavior::sigma
