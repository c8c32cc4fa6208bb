// ArpEntryItem (neighbour cache) and RouteEntryItem (routing tables).
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "collectors.hpp"

namespace vigil::ioc_scanner {

namespace {

std::string nud_state(uint16_t s) {
    if (s & NUD_REACHABLE) return "REACHABLE";
    if (s & NUD_STALE) return "STALE";
    if (s & NUD_DELAY) return "DELAY";
    if (s & NUD_PROBE) return "PROBE";
    if (s & NUD_FAILED) return "FAILED";
    if (s & NUD_INCOMPLETE) return "INCOMPLETE";
    if (s & NUD_NOARP) return "NOARP";
    if (s & NUD_PERMANENT) return "PERMANENT";
    return "NONE";
}

std::string mac_text(const unsigned char* a, size_t n) {
    std::string s;
    char b[4];
    for (size_t i = 0; i < n; ++i) {
        snprintf(b, sizeof b, "%s%02x", i ? ":" : "", a[i]);
        s += b;
    }
    return s;
}

// IPv6 neighbours come only from rtnetlink (there is no /proc file for them).
void ipv6_neighbours(std::vector<Record>& out) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return;
    struct {
        nlmsghdr h;
        ndmsg m;
    } req{};
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(ndmsg));
    req.h.nlmsg_type = RTM_GETNEIGH;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = 1;
    req.m.ndm_family = AF_INET6;
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (send(fd, &req, req.h.nlmsg_len, 0) < 0) {
        close(fd);
        return;
    }
    std::vector<char> buf(1 << 16);
    for (bool done = false; !done;) {
        ssize_t n = recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) break;
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, size_t(n));
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
                done = true;
                break;
            }
            if (h->nlmsg_type != RTM_NEWNEIGH) continue;
            auto* m = static_cast<ndmsg*>(NLMSG_DATA(h));
            int len = int(h->nlmsg_len) - int(NLMSG_LENGTH(sizeof(ndmsg)));
            std::string ip, mac;
            for (auto* a = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(m) + NLMSG_ALIGN(sizeof(ndmsg)));
                 RTA_OK(a, len); a = RTA_NEXT(a, len)) {
                if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == 16) {
                    char t[INET6_ADDRSTRLEN];
                    inet_ntop(AF_INET6, RTA_DATA(a), t, sizeof t);
                    ip = t;
                } else if (a->rta_type == NDA_LLADDR) {
                    mac = mac_text(static_cast<unsigned char*>(RTA_DATA(a)), RTA_PAYLOAD(a));
                }
            }
            if (ip.empty()) continue;
            char ifname[IF_NAMESIZE] = {0};
            if_indextoname(unsigned(m->ndm_ifindex), ifname);
            Record r;
            r.document = Document::Arp;
            r.object = ip + " " + (mac.empty() ? "(no MAC)" : mac) + " on " + ifname;
            r.add(TermId::ArpIpv6Address, ip);
            r.add(TermId::ArpPhysicalAddress, mac);
            r.add(TermId::ArpInterface, ifname);
            r.add(TermId::ArpState, nud_state(m->ndm_state));
            r.add(TermId::ArpIsRouter, (m->ndm_flags & NTF_ROUTER) ? "true" : "false");
            out.push_back(std::move(r));
        }
    }
    close(fd);
}

std::string ipv4_from_hex(const std::string& h) {
    uint32_t v = uint32_t(std::strtoul(h.c_str(), nullptr, 16));
    char b[20];
    snprintf(b, sizeof b, "%u.%u.%u.%u", v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >> 24) & 255);
    return b;
}

std::string ipv6_from_hex(const std::string& h) {
    unsigned char bytes[16] = {};
    for (size_t i = 0; i < 16 && i * 2 + 1 < h.size(); ++i)
        bytes[i] = static_cast<unsigned char>(std::strtoul(h.substr(i * 2, 2).c_str(), nullptr, 16));
    char t[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, bytes, t, sizeof t);
    return t;
}

std::string route_flags(unsigned f) {
    std::string s;
    if (f & 0x1) s += 'U';
    if (f & 0x2) s += 'G';
    if (f & 0x4) s += 'H';
    if (f & 0x8) s += 'R';
    if (f & 0x10) s += 'D';
    if (f & 0x20) s += 'M';
    if (f & 0x200) s += '!';
    return s;
}

// A RouteEntryItem with its destination, netmask (or prefix length), gateway,
// interface and family; the caller adds metric, flags and MTU.
Record route_record(const std::string& dest, const std::string& mask, const std::string& gateway,
                    const std::string& iface, bool ipv6) {
    Record r;
    r.document = Document::Route;
    r.object = dest + "/" + mask + " via " + gateway + " dev " + iface;
    r.add(TermId::RouteDestination, dest);
    r.add(TermId::RouteGateway, gateway);
    r.add(TermId::RouteInterface, iface);
    r.add(TermId::RouteNetmask, mask);
    r.add(TermId::RouteIsIpv6, ipv6 ? "true" : "false");
    return r;
}

}  // namespace

std::vector<Record> collect_arp(const CollectOptions& o) {
    std::vector<Record> out;
    std::ifstream in(o.proc + "/net/arp");
    for_each_table_row(in, TableHeader::Skip, [&](std::istringstream& ls) {
        std::string ip, hwtype, flags, mac, mask, dev;
        if (!(ls >> ip >> hwtype >> flags >> mac >> mask >> dev)) return;
        const unsigned f = unsigned(std::strtoul(flags.c_str(), nullptr, 16));
        Record r;
        r.document = Document::Arp;
        r.object = ip + " " + mac + " on " + dev;
        r.add(TermId::ArpIpv4Address, ip);
        r.add(TermId::ArpPhysicalAddress, mac);
        r.add(TermId::ArpInterface, dev);
        r.add(TermId::ArpState, (f & 0x4) ? "PERMANENT" : (f & 0x2) ? "REACHABLE" : "INCOMPLETE");
        r.add(TermId::ArpIsRouter, "false");
        out.push_back(std::move(r));
    });
    if (o.proc == "/proc") ipv6_neighbours(out);
    return out;
}

std::vector<Record> collect_routes(const CollectOptions& o) {
    std::vector<Record> out;
    std::ifstream v4(o.proc + "/net/route");
    for_each_table_row(v4, TableHeader::Skip, [&](std::istringstream& ls) {
        std::string iface, dest, gw, flags, refcnt, use, metric, mask, mtu;
        if (!(ls >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask >> mtu)) return;
        Record r = route_record(ipv4_from_hex(dest), ipv4_from_hex(mask), ipv4_from_hex(gw), iface, false);
        r.add(TermId::RouteMetric, metric);
        r.add(TermId::RouteFlags, route_flags(unsigned(std::strtoul(flags.c_str(), nullptr, 16))));
        r.add(TermId::RouteMtu, mtu);
        out.push_back(std::move(r));
    });
    std::ifstream v6(o.proc + "/net/ipv6_route");
    for_each_table_row(v6, TableHeader::None, [&](std::istringstream& ls) {
        std::string dest, plen, src, splen, hop, metric, refcnt, use, flags, iface;
        if (!(ls >> dest >> plen >> src >> splen >> hop >> metric >> refcnt >> use >> flags >> iface))
            return;
        const std::string prefix = std::to_string(std::strtoul(plen.c_str(), nullptr, 16));
        Record r = route_record(ipv6_from_hex(dest), prefix, ipv6_from_hex(hop), iface, true);
        r.add(TermId::RouteMetric, std::to_string(std::strtoul(metric.c_str(), nullptr, 16)));
        r.add(TermId::RouteFlags, route_flags(unsigned(std::strtoul(flags.c_str(), nullptr, 16))));
        out.push_back(std::move(r));
    });
    return out;
}

}  // namespace vigil::ioc_scanner
