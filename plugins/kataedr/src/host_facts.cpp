#include "host_facts.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <vigil/common/small_file.hpp>


namespace vigil::kataedr {

std::string os_pretty_name(const std::string& text) {
    std::map<std::string, std::string> kv;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        size_t eq = line.find('=');
        if (eq == std::string::npos || line[0] == '#') continue;
        std::string v = line.substr(eq + 1);
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
            v = v.substr(1, v.size() - 2);
        kv[line.substr(0, eq)] = v;
    }
    if (!kv["PRETTY_NAME"].empty()) return kv["PRETTY_NAME"];
    std::string s = kv["NAME"];
    if (!kv["VERSION"].empty()) s += (s.empty() ? "" : " ") + kv["VERSION"];
    return s.empty() ? "Linux" : s;
}

HostFacts collect_host_facts(const std::string& os_release_path) {
    HostFacts f;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0) f.hostname = host;
    try {
        auto text = vigil::common::read_small_file(os_release_path, {.max_bytes = 65536});
        f.os = text ? os_pretty_name(*text) : "Linux";
    } catch (...) {
        f.os = "Linux";
    }
    utsname u{};
    if (uname(&u) == 0)
        f.kernel = std::string(u.sysname) + " " + u.release + " " + u.version + " " + u.machine;

    std::vector<std::string> loopback;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
        for (ifaddrs* a = list; a; a = a->ifa_next) {
            if (!a->ifa_addr) continue;
            bool lo = (a->ifa_flags & IFF_LOOPBACK) != 0;
            int family = a->ifa_addr->sa_family;
            char buf[INET6_ADDRSTRLEN] = {};
            if (family == AF_INET) {
                inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
                (lo ? loopback : f.ips).push_back(buf);
            } else if (family == AF_INET6) {
                inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, buf,
                          sizeof buf);
                (lo ? loopback : f.ips).push_back(buf);
            } else if (family == AF_PACKET && !lo) {
                auto* ll = reinterpret_cast<sockaddr_ll*>(a->ifa_addr);
                if (ll->sll_halen != 6) continue;
                char mac[18];
                std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0],
                              ll->sll_addr[1], ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4],
                              ll->sll_addr[5]);
                if (std::string(mac) != "00:00:00:00:00:00" &&
                    std::find(f.macs.begin(), f.macs.end(), mac) == f.macs.end())
                    f.macs.push_back(mac);
            }
        }
        freeifaddrs(list);
    }
    if (f.ips.empty()) f.ips = loopback;
    return f;
}

}  // namespace vigil::kataedr
