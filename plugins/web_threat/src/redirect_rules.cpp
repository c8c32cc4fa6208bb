#include "redirect_rules.hpp"

#include <algorithm>
#include <stdexcept>

#include "static_rules.hpp"

namespace vigil::web_threat {

std::string port_set_text(std::vector<uint16_t> ports) {
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    std::string out;
    for (size_t i = 0; i < ports.size();) {
        size_t j = i;
        while (j + 1 < ports.size() && ports[j + 1] == ports[j] + 1) ++j;
        if (!out.empty()) out += ", ";
        out += std::to_string(ports[i]);
        if (j > i) out += "-" + std::to_string(ports[j]);
        i = j + 1;
    }
    return out;
}

std::string redirect_ruleset(const RedirectPlan& p) {
    if (p.listen_port == 0 || p.ports.empty()) throw std::invalid_argument("redirect: no listener port or no ports");
    const std::string t = std::string("inet ") + kRedirectTable;
    const std::string rule = "add rule " + t + " output ";
    const std::string to = " redirect to :" + std::to_string(p.listen_port) + "\n";
    std::string s = "add table " + t + (p.owned ? " { flags owner; }\n" : "\n");
    s += "add chain " + t + " output { type nat hook output priority -100; policy accept; }\n";
    // The worker's own upstream connections and DNS queries go out as they are.
    s += rule + "meta skuid " + std::to_string(p.worker_uid) + " return\n";
    s += rule + "ip daddr " + kSinkholeV4 + " tcp dport { 80, 443 }" + to;
    // Local services (a resolver stub on 127.0.0.53, local web servers) are
    // not inspected; nothing on the host's own loopback is on a block list.
    s += rule + "ip daddr 127.0.0.0/8 return\n";
    s += rule + "ip6 daddr ::1 return\n";
    // Names are judged by name whatever resolver is asked: DNS first.
    // Over UDP and TCP (RFC 7766: large answers, and some stub resolvers use
    // TCP only); the worker serves both on its DNS port.
    if (p.dns_port) s += rule + "meta l4proto { tcp, udp } th dport 53 redirect to :" + std::to_string(p.dns_port) + "\n";
    std::string v4, v6;
    for (const auto& prefix : disjoint_prefixes(p.trusted)) {
        std::string& elements = prefix.address.is_v4() ? v4 : v6;
        elements += (elements.empty() ? "" : ", ") + prefix.text();
    }
    if (!v4.empty()) s += rule + "ip daddr { " + v4 + " } return\n";
    if (!v6.empty()) s += rule + "ip6 daddr { " + v6 + " } return\n";
    s += rule + "tcp dport { " + port_set_text(p.ports) + " }" + to;
    return s;
}

}  // namespace vigil::web_threat
