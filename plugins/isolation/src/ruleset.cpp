#include "ruleset.hpp"

#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace vigil::isolation {

bool valid_table_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

namespace {

enum class Chain { input, output };

// Match terms of one allowance as seen from one chain. In the input chain the
// remote side is the packet's source, in the output chain its destination;
// `ct direction` ties the rule to flows opened in the allowed direction so
// an allowance never opens the reverse direction.
std::string rule_for(const Exclusion& e, Chain chain, const RulesetSpec& spec) {
    const bool in = chain == Chain::input;
    std::string r;
    if (e.remote) {
        r += e.remote->is_v6() ? "ip6 " : "ip ";
        r += in ? "saddr " : "daddr ";
        r += e.remote->text();
        r += ' ';
    }
    if (e.protocol) {
        r += "meta l4proto " + std::to_string(*e.protocol) + ' ';
    } else if (e.remote_ports || e.local_ports) {
        r += "meta l4proto { 6, 17, 33, 132, 136 } ";
    }
    if (e.remote_ports) r += std::string(in ? "th sport " : "th dport ") + e.remote_ports->text() + ' ';
    if (e.local_ports) r += std::string(in ? "th dport " : "th sport ") + e.local_ports->text() + ' ';
    if (e.cgroup) {
        if (!spec.resolve_cgroup) throw ValidationError("cgroup exclusions need a cgroup resolver");
        size_t level = 1;
        for (char c : *e.cgroup) level += c == '/';
        r += "socket cgroupv2 level " + std::to_string(level) + " \"" + spec.resolve_cgroup(*e.cgroup) + "\" ";
    }
    switch (e.direction) {
        case Direction::outbound: r += in ? "ct direction reply " : "ct direction original "; break;
        case Direction::inbound: r += in ? "ct direction original " : "ct direction reply "; break;
        case Direction::both: break;
    }
    return r + "accept";
}

}  // namespace

std::string build_isolation_ruleset(const RulesetSpec& spec) {
    if (!valid_table_name(spec.table)) throw ValidationError("table: '" + spec.table + "' is not a valid nft table name");
    std::vector<std::string> in_rules, out_rules;
    in_rules.reserve(spec.allowances.size() + 8);
    out_rules.reserve(spec.allowances.size() + 8);
    for (const auto& e : spec.allowances) {
        in_rules.push_back(rule_for(e, Chain::input, spec));
        out_rules.push_back(rule_for(e, Chain::output, spec));
    }
    std::ostringstream o;
    const std::string& t = spec.table;
    o << "add table inet " << t << "\n"
      << "delete table inet " << t << "\n"
      << "table inet " << t << " {\n"
      << "  chain input {\n"
      << "    type filter hook input priority filter - 10; policy drop;\n"
      << "    iif \"lo\" accept\n"
      // IPv6 needs neighbour discovery to reach anything, including the central node.
      << "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept\n"
      // ICMP errors (e.g. fragmentation needed) belong to a tracked flow.
      << "    meta l4proto { icmp, ipv6-icmp } ct state related accept\n";
    if (spec.allow_dhcp)
        o << "    udp sport 67 udp dport 68 accept\n"
          << "    udp sport 547 udp dport 546 accept\n";
    for (const auto& r : in_rules) o << "    " << r << "\n";
    o << "    counter drop\n"
      << "  }\n"
      << "  chain output {\n"
      << "    type filter hook output priority filter - 10; policy drop;\n"
      << "    oif \"lo\" accept\n"
      << "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept\n"
      << "    meta l4proto { icmp, ipv6-icmp } ct state related accept\n";
    if (spec.allow_dhcp)
        o << "    udp sport 68 udp dport 67 accept\n"
          << "    udp sport 546 udp dport 547 accept\n";
    for (const auto& r : out_rules) o << "    " << r << "\n";
    // Local traffic that is not allowed is refused, not silently dropped: a
    // reset ends connections that were open before isolation at their next
    // send, and new attempts fail at once instead of hanging.
    o << "    meta l4proto tcp counter reject with tcp reset\n"
      << "    counter reject with icmpx admin-prohibited\n"
      << "  }\n"
      << "  chain forward {\n"
      << "    type filter hook forward priority filter - 10; policy drop;\n"
      << "    counter drop\n"
      << "  }\n"
      << "}\n";
    return o.str();
}

std::string build_release(std::string_view table) {
    if (!valid_table_name(table)) throw ValidationError("table: '" + std::string(table) + "' is not a valid nft table name");
    const std::string t(table);
    return "add table inet " + t + "\ndelete table inet " + t + "\n";
}

size_t count_rules(const std::string& text) {
    size_t n = 0;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto p = line.find_first_not_of(' ');
        if (p == std::string::npos || p < 4) continue;  // table/chain lines are less indented
        if (line.compare(p, 5, "type ") == 0) continue;
        ++n;
    }
    return n;
}

std::vector<Exclusion> dns_allowances() {
    std::vector<Exclusion> out;
    for (uint8_t proto : {uint8_t(17), uint8_t(6)}) {
        Exclusion e;
        e.direction = Direction::outbound;
        e.protocol = proto;
        e.remote_ports = PortRange{53, 53};
        e.comment = "dns";
        out.push_back(e);
    }
    return out;
}

std::string cgroup2_mount_point() {
    // /sys/fs/cgroup on a unified system, /sys/fs/cgroup/unified on a hybrid one.
    std::ifstream mi("/proc/self/mountinfo");
    std::string line;
    while (std::getline(mi, line)) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream rest(line.substr(dash + 3));
        std::string fstype;
        rest >> fstype;
        if (fstype != "cgroup2") continue;
        std::istringstream head(line.substr(0, dash));
        std::string id, parent, devno, root, mount_point;
        head >> id >> parent >> devno >> root >> mount_point;
        if (root == "/") return mount_point;
    }
    return "";
}

std::string resolve_cgroup_on_host(const std::string& path) {
    const std::string mount_point = cgroup2_mount_point();
    if (mount_point.empty()) throw ValidationError("cgroup '" + path + "': no cgroup v2 hierarchy is mounted");
    struct stat st{};
    const std::string full = mount_point + "/" + path;
    if (stat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw ValidationError("cgroup '" + path + "': " + full + " does not exist");
    // nft resolves the string under /sys/fs/cgroup.
    const std::string base = "/sys/fs/cgroup";
    if (mount_point == base) return path;
    if (mount_point.rfind(base + "/", 0) == 0) return mount_point.substr(base.size() + 1) + "/" + path;
    return "../../.." + mount_point + "/" + path;
}

}  // namespace vigil::isolation
