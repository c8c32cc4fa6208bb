#include "never_block.hpp"

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <sstream>
#include <vigil/common/hex.hpp>
#include <vigil/common/lines.hpp>

namespace vigil::network_threat {

namespace {

using common::IpAddress;
using common::IpPrefix;

}  // namespace

std::vector<Protected> fixed_protected() {
    std::vector<Protected> out;
    for (const char* p : {"127.0.0.0/8", "::1", "169.254.0.0/16", "fe80::/10", "224.0.0.0/4", "ff00::/8",
                          "0.0.0.0", "::", "255.255.255.255"})
        out.push_back({*common::parse_ip_prefix(p), "loopback, link-local, multicast or unspecified"});
    return out;
}

std::vector<Protected> gateways_from(std::string_view route_v4, std::string_view route_v6) {
    std::vector<Protected> out;
    for (auto line : common::split_lines(route_v4)) {
        std::istringstream in{std::string(line)};
        std::string iface, dest, gw, flags, refcnt, use, metric, mask;
        if (!(in >> iface >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) continue;
        auto d = common::from_hex_fixed<4>(dest), g = common::from_hex_fixed<4>(gw),
             m = common::from_hex_fixed<4>(mask);
        if (!d || !g || !m) continue;
        // The kernel prints the network-order word as a host-order number.
        std::reverse(g->begin(), g->end());
        if (*d != std::array<uint8_t, 4>{} || *m != std::array<uint8_t, 4>{}) continue;
        const IpAddress a = IpAddress::v4(g->data());
        if (!a.is_unspecified()) out.push_back({IpPrefix::of(a, 32), "default gateway (" + iface + ")"});
    }
    for (auto line : common::split_lines(route_v6)) {
        std::istringstream in{std::string(line)};
        std::string dest, plen, src, splen, hop, metric, refcnt, use, flags, iface;
        if (!(in >> dest >> plen >> src >> splen >> hop >> metric >> refcnt >> use >> flags >> iface))
            continue;
        const auto d = common::from_hex_fixed<16>(dest), h = common::from_hex_fixed<16>(hop);
        if (plen != "00" || !d || !h) continue;
        const IpAddress a = IpAddress::v6(h->data());
        if (!a.is_unspecified()) out.push_back({IpPrefix::of(a, 128), "default gateway (" + iface + ")"});
    }
    return out;
}

std::vector<Protected> resolvers_from(std::string_view resolv_conf) {
    std::vector<Protected> out;
    for (auto line : common::split_lines(resolv_conf)) {
        std::istringstream in{std::string(line)};
        std::string key, value;
        if (!(in >> key >> value) || key != "nameserver") continue;
        if (auto pct = value.find('%'); pct != std::string::npos) value.resize(pct);
        if (auto a = common::parse_ip_address(value))
            out.push_back({IpPrefix::of(*a, a->bits()), "configured resolver"});
    }
    return out;
}

std::vector<Protected> own_addresses() {
    std::vector<Protected> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        IpAddress a;
        if (i->ifa_addr->sa_family == AF_INET)
            a = IpAddress::v4(
                reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr));
        else if (i->ifa_addr->sa_family == AF_INET6)
            a = IpAddress::v6(
                reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr));
        else
            continue;
        out.push_back({IpPrefix::of(a, a.bits()), std::string("own address (") + i->ifa_name + ")"});
    }
    ::freeifaddrs(list);
    return out;
}

std::string host_of(std::string_view url) {
    if (auto scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
    url = url.substr(0, url.find_first_of("/?#"));
    if (auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    if (!url.empty() && url[0] == '[') return std::string(url.substr(1, url.find(']') - 1));
    if (std::count(url.begin(), url.end(), ':') == 1) url = url.substr(0, url.find(':'));
    return std::string(url);
}

std::vector<Protected> addresses_of(std::string_view url, const std::string& why) {
    const std::string host = host_of(url);
    if (host.empty()) return {};
    if (auto a = common::parse_ip_address(host)) return {{IpPrefix::of(*a, a->bits()), why}};
    std::vector<Protected> out;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
    for (addrinfo* r = res; r; r = r->ai_next) {
        IpAddress a;
        if (r->ai_family == AF_INET)
            a = IpAddress::v4(
                reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in*>(r->ai_addr)->sin_addr));
        else if (r->ai_family == AF_INET6)
            a = IpAddress::v6(
                reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in6*>(r->ai_addr)->sin6_addr));
        else
            continue;
        out.push_back({IpPrefix::of(a, a.bits()), why});
    }
    ::freeaddrinfo(res);
    return out;
}

const Protected* NeverBlock::match(const common::IpAddress& a) const {
    const IpAddress u = a.unmapped();
    for (const auto& e : entries_)
        if (e.prefix.contains(u)) return &e;
    return nullptr;
}

const Protected* NeverBlock::overlaps(const common::IpPrefix& p) const {
    for (const auto& e : entries_)
        if (e.prefix.covers(p) || p.covers(e.prefix)) return &e;
    return nullptr;
}

std::vector<common::IpPrefix> NeverBlock::prefixes() const {
    std::vector<common::IpPrefix> out;
    for (const auto& e : entries_) out.push_back(e.prefix);
    return out;
}

}  // namespace vigil::network_threat
