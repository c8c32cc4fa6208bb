// DnsEntryItem (hosts file, resolver configuration), UserItem (passwd,
// group) and SystemInfoItem (uname, os-release, interfaces, memory).
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "collectors.hpp"
#include "value_match.hpp"

namespace vigil::ioc_scanner {

namespace {

std::vector<std::string> lines_of(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(c);
        }
    }
    out.push_back(cur);
    return out;
}

std::string strip_comment(std::string s) {
    if (auto p = s.find('#'); p != std::string::npos) s.resize(p);
    return s;
}

std::string unquote(std::string v) {
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
        v = v.substr(1, v.size() - 2);
    return v;
}

// A DnsEntryItem: where it was read and its host, record name and record type;
// the caller adds the record data.
Record dns_record(std::string object, const std::string& host, const std::string& name, const char* type) {
    Record r;
    r.document = Document::Dns;
    r.object = std::move(object);
    r.add(TermId::DnsHost, host);
    r.add(TermId::DnsRecordName, name);
    r.add(TermId::DnsRecordType, type);
    return r;
}

}  // namespace

std::vector<Record> collect_dns(const CollectOptions& o) {
    std::vector<Record> out;
    const std::string hosts = o.etc + "/hosts";
    for (const auto& raw : lines_of(hosts)) {
        std::istringstream ls(strip_comment(raw));
        std::string ip, name;
        if (!(ls >> ip)) continue;
        auto addr = parse_ip(ip);
        if (!addr) continue;
        while (ls >> name) {
            Record r = dns_record(hosts + ": " + name + " -> " + ip, name, name, addr->v4 ? "A" : "AAAA");
            r.add(addr->v4 ? TermId::DnsRecordDataIpv4 : TermId::DnsRecordDataIpv6, ip);
            out.push_back(std::move(r));
        }
    }
    const std::string resolv = o.etc + "/resolv.conf";
    for (const auto& raw : lines_of(resolv)) {
        std::istringstream ls(strip_comment(raw));
        std::string key, value;
        if (!(ls >> key)) continue;
        if (key == "nameserver" && ls >> value) {
            auto addr = parse_ip(value);
            Record r = dns_record(resolv + ": nameserver " + value, value, "nameserver", "NS");
            if (addr) r.add(addr->v4 ? TermId::DnsRecordDataIpv4 : TermId::DnsRecordDataIpv6, value);
            out.push_back(std::move(r));
        } else if (key == "search" || key == "domain") {
            while (ls >> value) {
                Record r = dns_record(resolv + ": " + key + " " + value, value, key, "SEARCH");
                r.add(TermId::DnsRecordDataHost, value);
                out.push_back(std::move(r));
            }
        }
    }
    return out;
}

std::vector<Record> collect_users(const CollectOptions& o) {
    // group memberships: primary gid and supplementary lists
    std::map<std::string, std::string> gid_name;
    std::map<std::string, std::vector<std::string>> member_of;
    for (const auto& line : lines_of(o.etc + "/group")) {
        auto f = split(line, ':');
        if (f.size() < 4 || f[0].empty() || f[0][0] == '#') continue;
        gid_name[f[2]] = f[0];
        for (const auto& m : split(f[3], ','))
            if (!m.empty()) member_of[m].push_back(f[0]);
    }
    std::vector<Record> out;
    for (const auto& line : lines_of(o.etc + "/passwd")) {
        auto f = split(line, ':');
        if (f.size() < 7 || f[0].empty() || f[0][0] == '#') continue;
        Record r;
        r.document = Document::User;
        r.object = "user " + f[0] + " (uid " + f[2] + ")";
        r.add(TermId::UserUsername, f[0]);
        r.add(TermId::UserFullname, split(f[4], ',')[0]);
        r.add(TermId::UserDescription, f[4]);
        r.add(TermId::UserHomedirectory, f[5]);
        r.add(TermId::UserShell, f[6]);
        r.add(TermId::UserUserid, f[2]);
        std::set<std::string> groups;
        if (auto it = gid_name.find(f[3]); it != gid_name.end()) groups.insert(it->second);
        for (const auto& g : member_of[f[0]]) groups.insert(g);
        for (const auto& g : groups) r.add(TermId::UserGroupname, g);
        out.push_back(std::move(r));
    }
    return out;
}

namespace {

// The DNS domain: the kernel's, else the host name's suffix, else resolv.conf's.
std::string domain_of(const std::string& host, const std::string& etc) {
    std::string domain;
    char dom[256] = {0};
    if (getdomainname(dom, sizeof dom - 1) == 0 && std::string(dom) != "(none)") domain = dom;
    if (domain.empty())
        if (auto dot = host.find('.'); dot != std::string::npos) domain = host.substr(dot + 1);
    if (domain.empty())
        for (const auto& l : lines_of(etc + "/resolv.conf")) {
            std::istringstream ls(l);
            std::string k, v;
            if (ls >> k >> v && (k == "domain" || k == "search")) {
                domain = v;
                break;
            }
        }
    return domain;
}

// The distribution (os-release) and the kernel (uname).
void add_os(Record& r, const std::string& etc) {
    std::map<std::string, std::string> osr;
    for (const auto& l : lines_of(etc + "/os-release")) {
        auto eq = l.find('=');
        if (eq != std::string::npos) osr[l.substr(0, eq)] = unquote(l.substr(eq + 1));
    }
    r.add(TermId::SysOs, osr.count("PRETTY_NAME") ? osr["PRETTY_NAME"] : "Linux");
    r.add(TermId::SysProductName, osr["NAME"]);
    r.add(TermId::SysVersion, osr["VERSION_ID"]);
    utsname u{};
    uname(&u);
    r.add(TermId::SysKernelVersion, u.release);
    r.add(TermId::SysMachine, u.machine);
    r.add(TermId::SysPlatform, u.sysname);
    const std::string m = u.machine;
    r.add(TermId::SysOsBitness,
          (m == "x86_64" || m == "aarch64" || m == "ppc64le" || m == "s390x" || m == "riscv64") ? "64-bit"
                                                                                                : "32-bit");
}

// The interface of the default IPv4 route ("" when there is none).
std::string default_route_interface(const std::string& proc) {
    for (const auto& l : lines_of(proc + "/net/route")) {
        std::istringstream ls(l);
        std::string iface, dest;
        if (ls >> iface >> dest && dest == "00000000") return iface;
    }
    return {};
}

std::string mac_text(const sockaddr_ll* ll) {
    std::string mac;
    char b[4];
    for (int k = 0; k < 6; ++k) {
        snprintf(b, sizeof b, "%s%02x", k ? ":" : "", ll->sll_addr[k]);
        mac += b;
    }
    return mac;
}

// Interfaces: MAC from AF_PACKET, addresses from AF_INET/AF_INET6. The primary address
// is the default route interface's, else the first one seen.
void add_interfaces(Record& r, const std::string& proc) {
    const std::string default_if = default_route_interface(proc);
    std::string primary4, primary6, first4, first6;
    ifaddrs* ifs = nullptr;
    if (getifaddrs(&ifs) == 0) {
        std::set<std::string> adapters;
        for (auto* i = ifs; i; i = i->ifa_next) {
            if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK)) continue;
            const std::string name = i->ifa_name;
            adapters.insert(name);
            char t[INET6_ADDRSTRLEN] = {0};
            if (i->ifa_addr->sa_family == AF_PACKET) {
                auto* ll = reinterpret_cast<sockaddr_ll*>(i->ifa_addr);
                if (ll->sll_halen == 6) {
                    const std::string mac = mac_text(ll);
                    r.add(TermId::SysMac, mac);
                    r.add(TermId::SysAdapterMac, mac);
                }
            } else if (i->ifa_addr->sa_family == AF_INET) {
                inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, t, sizeof t);
                r.add(TermId::SysAdapterIp, t);
                if (first4.empty()) first4 = t;
                if (name == default_if && primary4.empty()) primary4 = t;
            } else if (i->ifa_addr->sa_family == AF_INET6) {
                inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, t, sizeof t);
                r.add(TermId::SysAdapterIpv6, t);
                if (first6.empty()) first6 = t;
                if (name == default_if && primary6.empty()) primary6 = t;
            }
        }
        for (const auto& a : adapters) r.add(TermId::SysAdapter, a);
        freeifaddrs(ifs);
    }
    if (primary4.empty()) primary4 = first4;
    if (primary6.empty()) primary6 = first6;
    r.add(TermId::SysPrimaryIpv4, primary4);
    r.add(TermId::SysPrimaryIpv6, primary6);
    r.add(TermId::SysPrimaryIp, primary4.empty() ? primary6 : primary4);
}

// Uptime, the current date and the time zone (/etc/timezone, else the localtime link).
void add_clock(Record& r, const CollectOptions& o) {
    {
        std::ifstream in(o.proc + "/uptime");
        double up = 0;
        if (in >> up) r.add(TermId::SysUptime, std::to_string(int64_t(up)));
    }
    r.add(TermId::SysDate, format_iso8601(int64_t(time(nullptr))));
    std::string tz;
    if (auto l = lines_of(o.etc + "/timezone"); !l.empty()) tz = l[0];
    if (tz.empty()) {
        char buf[512];
        ssize_t n = readlink((o.etc + "/localtime").c_str(), buf, sizeof buf - 1);
        if (n > 0) {
            std::string t(buf, size_t(n));
            if (auto p = t.find("zoneinfo/"); p != std::string::npos) tz = t.substr(p + 9);
        }
    }
    r.add(TermId::SysTimezone, tz);
}

void add_memory_and_cpu(Record& r, const std::string& proc) {
    for (const auto& l : lines_of(proc + "/meminfo")) {
        std::istringstream ls(l);
        std::string k;
        uint64_t kb = 0;
        if (!(ls >> k >> kb)) continue;
        if (k == "MemTotal:") r.add(TermId::SysTotalPhysical, std::to_string(kb * 1024));
        if (k == "MemAvailable:") r.add(TermId::SysAvailPhysical, std::to_string(kb * 1024));
    }
    for (const auto& l : lines_of(proc + "/cpuinfo"))
        if (l.rfind("model name", 0) == 0) {
            auto c = l.find(':');
            if (c != std::string::npos) r.add(TermId::SysProcessor, l.substr(c + 2));
            break;
        }
}

}  // namespace

std::vector<Record> collect_system_info(const CollectOptions& o) {
    Record r;
    r.document = Document::SystemInfo;
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    r.object = std::string("host ") + host;
    r.add(TermId::SysHostname, host);
    r.add(TermId::SysDomain, domain_of(host, o.etc));
    add_os(r, o.etc);
    add_interfaces(r, o.proc);
    add_clock(r, o);
    add_memory_and_cpu(r, o.proc);
    return {std::move(r)};
}

}  // namespace vigil::ioc_scanner
