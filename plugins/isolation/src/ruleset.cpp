#include "ruleset.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "vigil/common/nft.hpp"

namespace vigil::isolation {

bool valid_table_name(std::string_view name) { return common::nft::valid_name(name); }

namespace {

enum class Chain { input, output };

std::string cgroup_match(const std::string& cgroup, const RulesetSpec& spec) {
    if (!spec.resolve_cgroup) throw ValidationError("cgroup exclusions need a cgroup resolver");
    size_t level = 1;
    for (char c : cgroup) level += c == '/';
    return "socket cgroupv2 level " + std::to_string(level) + " \"" + spec.resolve_cgroup(cgroup) + "\" ";
}

// New flows of an agent allowance must come from the agent's own sockets.
// Only the output chain checks it: replies are tied to those flows by
// `ct direction reply`, and a flow that another process opened before the
// isolation is ended by the connection cutter.
std::string agent_match(const AgentScope& scope, const RulesetSpec& spec) {
    std::string r;
    if (!scope.cgroup.empty()) r += cgroup_match(scope.cgroup, spec);
    return r + "meta skuid " + std::to_string(scope.uid) + " ";
}

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
    if (e.cgroup) r += cgroup_match(*e.cgroup, spec);
    if (e.agent && !in) r += agent_match(*e.agent, spec);
    switch (e.direction) {
        case Direction::outbound:
            r += in ? "ct direction reply " : "ct direction original ";
            break;
        case Direction::inbound:
            r += in ? "ct direction original " : "ct direction reply ";
            break;
        case Direction::both:
            break;
    }
    return r + "accept";
}

// ---- grouping: many allowances of one shape become one rule with a set ----
//
// nft evaluates rules one after the other and compiles each in user space, so
// 1,000 exclusions as 2,000 rules cost both at apply and per packet. Allowances
// that differ only in their values (same fields, direction, family) share one
// rule over an anonymous set. Concatenated interval sets must not hold
// overlapping elements (the kernel refuses them), so a group with an overlap
// keeps one rule per allowance.

struct Element {
    std::optional<Cidr> addr;
    std::optional<uint8_t> proto;
    std::optional<PortRange> port;
    std::string text;
};

bool cidrs_overlap(const Cidr& a, const Cidr& b) {
    if (a.family != b.family) return false;
    const int bits = std::min(a.prefix, b.prefix);
    for (int bit = 0; bit < bits; ++bit) {
        const uint8_t mask = uint8_t(0x80u >> (bit % 8));
        if ((a.bytes[size_t(bit / 8)] & mask) != (b.bytes[size_t(bit / 8)] & mask)) return false;
    }
    return true;
}

bool elements_overlap(const Element& a, const Element& b) {
    if (a.addr && b.addr && !cidrs_overlap(*a.addr, *b.addr)) return false;
    if (a.proto && b.proto && *a.proto != *b.proto) return false;
    if (a.port && b.port && (a.port->last < b.port->first || b.port->last < a.port->first)) return false;
    return true;
}

struct Shape {
    std::vector<std::string> exprs;  // the concatenated keys, in order
    std::string suffix;              // "ct direction ... " or ""
    std::string key() const {
        std::string k;
        for (const auto& e : exprs) k += e + " . ";
        return k + "|" + suffix;
    }
};

// The shape of an allowance in one chain and its set elements, or nullopt
// when it cannot share a rule (cgroup).
std::optional<std::pair<Shape, std::vector<Element>>> shape_of(const Exclusion& e, Chain chain,
                                                               const RulesetSpec& spec) {
    if (e.cgroup) return std::nullopt;
    const bool in = chain == Chain::input;
    Shape sh;
    std::vector<uint8_t> protos;
    if (e.remote)
        sh.exprs.push_back(std::string(e.remote->is_v6() ? "ip6 " : "ip ") + (in ? "saddr" : "daddr"));
    if (e.protocol)
        protos = {*e.protocol};
    else if (e.remote_ports || e.local_ports)
        protos = {6, 17, 33, 132, 136};
    if (!protos.empty()) sh.exprs.push_back("meta l4proto");
    std::optional<PortRange> port;
    if (e.remote_ports) {
        sh.exprs.push_back(in ? "th sport" : "th dport");
        port = e.remote_ports;
    }
    if (e.local_ports) {
        sh.exprs.push_back(in ? "th dport" : "th sport");
        port = e.local_ports;
    }
    switch (e.direction) {
        case Direction::outbound:
            sh.suffix = in ? "ct direction reply " : "ct direction original ";
            break;
        case Direction::inbound:
            sh.suffix = in ? "ct direction original " : "ct direction reply ";
            break;
        case Direction::both:
            break;
    }
    if (e.agent && !in) sh.suffix = agent_match(*e.agent, spec) + sh.suffix;
    std::vector<Element> elems;
    const auto make = [&](std::optional<uint8_t> proto) {
        Element el{e.remote, proto, port, ""};
        std::vector<std::string> parts;
        if (el.addr) parts.push_back(el.addr->text());
        if (el.proto) parts.push_back(std::to_string(*el.proto));
        if (el.port) parts.push_back(el.port->text());
        for (size_t i = 0; i < parts.size(); ++i) el.text += (i ? " . " : "") + parts[i];
        elems.push_back(std::move(el));
    };
    if (protos.empty()) make(std::nullopt);
    for (uint8_t p : protos) make(p);
    return std::make_pair(std::move(sh), std::move(elems));
}

std::vector<std::string> rules_for_chain(const RulesetSpec& spec, Chain chain) {
    struct Group {
        Shape shape;
        std::vector<size_t> members;  // allowance indexes
        std::vector<Element> elements;
    };
    std::vector<Group> groups;
    std::map<std::string, size_t> by_key;
    std::vector<std::string> rules;
    std::vector<std::pair<size_t, size_t>> order;  // (kind 0 = single rule index, 1 = group index)
    for (size_t i = 0; i < spec.allowances.size(); ++i) {
        auto sh = shape_of(spec.allowances[i], chain, spec);
        if (!sh) {
            order.push_back({0, rules.size()});
            rules.push_back(rule_for(spec.allowances[i], chain, spec));
            continue;
        }
        auto [it, fresh] = by_key.try_emplace(sh->first.key(), groups.size());
        if (fresh) {
            groups.push_back(Group{sh->first, {}, {}});
            order.push_back({1, it->second});
        }
        Group& g = groups[it->second];
        g.members.push_back(i);
        for (auto& el : sh->second) g.elements.push_back(std::move(el));
    }
    std::vector<std::string> out;
    for (const auto& [kind, idx] : order) {
        if (kind == 0) {
            out.push_back(rules[idx]);
            continue;
        }
        Group& g = groups[idx];
        // Identical elements (the same exclusion given twice) are harmless.
        std::vector<Element> uniq;
        std::set<std::string> seen;
        for (auto& el : g.elements)
            if (seen.insert(el.text).second) uniq.push_back(std::move(el));
        bool single = g.members.size() == 1 || uniq.size() == 1;
        if (!single && g.shape.exprs.size() > 1) {
            for (size_t a = 0; a < uniq.size() && !single; ++a)
                for (size_t b = a + 1; b < uniq.size(); ++b)
                    if (elements_overlap(uniq[a], uniq[b])) {
                        single = true;
                        break;
                    }
        }
        if (single || g.shape.exprs.empty()) {
            std::set<std::string> emitted;
            for (size_t m : g.members) {
                std::string r = rule_for(spec.allowances[m], chain, spec);
                if (emitted.insert(r).second) out.push_back(std::move(r));
            }
            continue;
        }
        std::string r;
        for (size_t i = 0; i < g.shape.exprs.size(); ++i) r += (i ? " . " : "") + g.shape.exprs[i];
        r += " { ";
        for (size_t i = 0; i < uniq.size(); ++i) r += (i ? ", " : "") + uniq[i].text;
        r += " } " + g.shape.suffix + "accept";
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

namespace {

// IPv6 needs neighbour discovery to reach anything, including the central
// node. Hop limit 255 proves the message was not routed (RFC 4861), so ND
// cannot carry traffic beyond the link.
constexpr const char* kNeighbourDiscovery =
    "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } "
    "ip6 hoplimit 255 accept\n";
// ICMP errors (e.g. fragmentation needed) belong to a tracked flow.
constexpr const char* kRelatedIcmp = "    meta l4proto { icmp, ipv6-icmp } ct state related accept\n";

// DHCP as DHCP only: requests to the link's broadcast (v4) or the
// all-DHCP-agents link-local group (v6), answers to broadcast, to a tracked
// request, or between link-local addresses. Unicast renewals are refused; the
// client then renews by broadcast (rebind). Nothing here leaves the link.
constexpr const char* kDhcpIn =
    "    udp sport 67 udp dport 68 ip daddr 255.255.255.255 accept\n"
    "    udp sport 67 udp dport 68 ct state established accept\n"
    "    ip6 saddr fe80::/10 ip6 daddr fe80::/10 udp sport 547 udp dport 546 accept\n";
constexpr const char* kDhcpOut =
    "    udp sport 68 udp dport 67 ip daddr 255.255.255.255 accept\n"
    "    ip6 saddr fe80::/10 ip6 daddr ff02::1:2 udp sport 546 udp dport 547 accept\n";

void write_chain(std::ostringstream& o, const char* name, const char* lo, const RulesetSpec& spec,
                 const std::vector<std::string>& rules, const char* dhcp, const char* tail) {
    o << "  chain " << name << " {\n"
      << "    type filter hook " << name << " priority filter - 10; policy drop;\n"
      << "    " << lo << " \"lo\" accept\n"
      << kNeighbourDiscovery << kRelatedIcmp;
    if (spec.allow_dhcp) o << dhcp;
    for (const auto& r : rules) o << "    " << r << "\n";
    o << tail << "  }\n";
}

}  // namespace

std::string build_isolation_ruleset(const RulesetSpec& spec) {
    if (!valid_table_name(spec.table))
        throw ValidationError("table: '" + spec.table + "' is not a valid nft table name");
    const std::vector<std::string> in_rules = rules_for_chain(spec, Chain::input);
    std::vector<std::string> out_rules = rules_for_chain(spec, Chain::output);
    // A connection a local nat rule redirected to a loopback address (e.g.
    // web_threat's worker) still names the interface of its original route
    // as oif: it is local traffic all the same. The process it reaches makes
    // its own connections, which these rules judge (so an exclusion is
    // honoured through such a proxy, and nothing else gets out).
    out_rules.insert(out_rules.begin(),
                     {"ct status dnat ip daddr 127.0.0.0/8 accept", "ct status dnat ip6 daddr ::1 accept"});
    std::ostringstream o;
    const std::string& t = spec.table;
    o << "add table inet " << t << "\n"
      << "delete table inet " << t << "\n"
      << "table inet " << t << " {\n";
    write_chain(o, "input", "iif", spec, in_rules, kDhcpIn, "    counter drop\n");
    // Local traffic that is not allowed is refused, not silently dropped: a
    // reset ends connections that were open before isolation at their next
    // send, and new attempts fail at once instead of hanging.
    write_chain(o, "output", "oif", spec, out_rules, kDhcpOut,
                "    meta l4proto tcp counter reject with tcp reset\n"
                "    counter reject with icmpx admin-prohibited\n");
    o << "  chain forward {\n"
      << "    type filter hook forward priority filter - 10; policy drop;\n"
      << "    counter drop\n"
      << "  }\n"
      << "}\n";
    return o.str();
}

std::string build_release(std::string_view table) {
    if (!valid_table_name(table))
        throw ValidationError("table: '" + std::string(table) + "' is not a valid nft table name");
    return common::nft::delete_table_text("inet", table);
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

std::vector<Exclusion> dns_allowances(const std::vector<std::string>& resolvers) {
    std::vector<Exclusion> out;
    for (const auto& addr : resolvers) {
        for (uint8_t proto : {uint8_t(17), uint8_t(6)}) {
            Exclusion e;
            e.direction = Direction::outbound;
            e.protocol = proto;
            e.remote = parse_cidr(addr, "dns resolver");
            e.remote_ports = PortRange{53, 53};
            e.comment = "dns " + addr;
            out.push_back(e);
        }
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
    if (mount_point.empty())
        throw ValidationError("cgroup '" + path + "': no cgroup v2 hierarchy is mounted");
    struct stat st {};
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
