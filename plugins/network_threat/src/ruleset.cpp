#include "ruleset.hpp"

#include <algorithm>
#include <stdexcept>

namespace vigil::network_threat {

namespace {

using common::IpPrefix;

// Replaces {ip} (ip / ip6), {n} (4 / 6) and {icmp} (icmp / icmpv6) in a
// per-family rule template.
std::string family(std::string_view tmpl, bool v6) {
    std::string line(tmpl);
    const auto put = [&](std::string_view key, std::string_view value) {
        for (size_t pos; (pos = line.find(key)) != std::string::npos;) line.replace(pos, key.size(), value);
    };
    put("{ip}", v6 ? "ip6" : "ip");
    put("{n}", v6 ? "6" : "4");
    put("{icmp}", v6 ? "icmpv6" : "icmp");
    return "    " + line + "\n";
}

// The IPv4 and the IPv6 rule of a template.
std::string both(std::string_view tmpl) { return family(tmpl, false) + family(tmpl, true); }

std::string num(uint64_t v) { return std::to_string(v); }

struct Ctx {
    const DataPlaneSpec& s;
    // "log group G snaplen N prefix "vnt:x"" with the per-source and total budgets.
    std::string log(std::string_view signal, uint32_t snaplen = kProbeSnaplen) const {
        return "log group " + num(s.nflog_group) + " snaplen " + num(snaplen) +
               " prefix \"vnt:" + std::string(signal) + "\"";
    }
    std::string budget() const {
        return "update @log{n} { {ip} saddr limit rate " + num(s.log_per_source_pps) + "/second burst " +
               num(s.log_per_source_pps) + " packets } limit name \"log_total\" ";
    }
    std::string meter(std::string_view set, uint32_t pps) const {
        return "update @" + std::string(set) + "{n} { {ip} saddr limit rate over " + num(pps) +
               "/second burst " + num(pps) +
               " packets } update @sample{n} { {ip} saddr limit rate 2/second burst 2 packets } ";
    }
};

std::string elements(const std::vector<TimedPrefix>& v, bool v6, bool prefixes) {
    std::string out;
    for (const auto& t : v) {
        if (t.prefix.address.is_v6() != v6 || t.prefix.is_host() == prefixes) continue;
        out += (out.empty() ? "" : ", ") + t.prefix.text() + " timeout " +
               num(uint64_t(std::max<int64_t>(t.remaining_ms, 1000))) + "ms";
    }
    return out.empty() ? "" : " elements = { " + out + " };";
}

std::string allow_elements(const std::vector<IpPrefix>& v, bool v6) {
    std::string out;
    for (const auto& p : v)
        if (p.address.is_v6() == v6) out += (out.empty() ? "" : ", ") + p.text();
    return out.empty() ? "" : " elements = { " + out + " };";
}

std::string ports(const std::vector<PortRange>& v) {
    std::string out;
    for (const auto& r : v)
        out += (out.empty() ? "" : ", ") + (r.low == r.high ? num(r.low) : num(r.low) + "-" + num(r.high));
    return out.empty() ? "" : " elements = { " + out + " };";
}

std::string sets(const DataPlaneSpec& s) {
    const auto dyn = [](const char* name, const char* type, const char* timeout, uint32_t size) {
        return "  set " + std::string(name) + " { type " + type + "; flags dynamic,timeout; timeout " +
               timeout + "; size " + num(size) + "; }\n";
    };
    std::string out;
    out += "  set allow4 { type ipv4_addr; flags interval; auto-merge;" + allow_elements(s.allow, false) +
           " }\n";
    out +=
        "  set allow6 { type ipv6_addr; flags interval; auto-merge;" + allow_elements(s.allow, true) + " }\n";
    out +=
        "  set ban4 { type ipv4_addr; flags timeout; size 65536;" + elements(s.bans, false, false) + " }\n";
    out += "  set ban6 { type ipv6_addr; flags timeout; size 65536;" + elements(s.bans, true, false) + " }\n";
    out += "  set ban6net { type ipv6_addr; flags interval,timeout; size 16384;" +
           elements(s.bans, true, true) + " }\n";
    out += "  set attack4 { type ipv4_addr; flags timeout; size 65536;" + elements(s.attack, false, false) +
           " }\n";
    out += "  set attack6 { type ipv6_addr; flags timeout; size 65536;" + elements(s.attack, true, false) +
           " }\n";
    out += "  set sig_tcp { type inet_service; flags interval;" + ports(s.signature_tcp) + " }\n";
    out += "  set sig_udp { type inet_service; flags interval;" + ports(s.signature_udp) + " }\n";
    for (const char* n : {"4", "6"}) {
        const std::string a = n[0] == '4' ? "ipv4_addr" : "ipv6_addr";
        const std::string f = n;
        // TCP probes are told apart by their flags too (a FIN scan after a SYN
        // scan of the same ports is news): one set per flag class, because nft
        // 1.0.6 cannot list a set keyed by tcp flags.
        for (const char* seen : {"seen", "seen_syn", "seen_fin", "seen_null", "seen_xmas", "seen_maimon",
                                 "seen_ack", "seen_other"})
            out += dyn((std::string(seen) + f).c_str(), (a + " . inet_proto . inet_service").c_str(), "60s",
                       65536);
        out += dyn(("proto" + f).c_str(), (a + " . inet_proto").c_str(), "60s", 16384);
        out += dyn(("sigflow" + f).c_str(), (a + " . inet_proto . inet_service . inet_service").c_str(),
                   "120s", 65536);
        out += dyn(("log" + f).c_str(), a.c_str(), "10s", 131072);
        for (const char* m : {"fraglog", "sample", "synrate", "udprate", "icmprate", "failtcp", "failudp"})
            out += dyn((std::string(m) + f).c_str(), a.c_str(), "10s", 16384);
    }
    const auto& t = s.thresholds;
    const auto lim = [](const char* name, const std::string& rate) {
        return "  limit " + std::string(name) + " { rate " + rate + " }\n";
    };
    out += lim("log_total", num(s.log_total_pps) + "/second burst " + num(s.log_total_pps) + " packets");
    out += lim("sample_total", "50/second burst 50 packets");
    out += lim("syn_all", "over " + num(t.distributed_syn_pps) + "/second burst " +
                              num(t.distributed_syn_pps) + " packets");
    out += lim("udp_all", "over " + num(t.distributed_udp_pps) + "/second burst " +
                              num(t.distributed_udp_pps) + " packets");
    out += lim("icmp_all", "over " + num(t.distributed_icmp_pps) + "/second burst " +
                               num(t.distributed_icmp_pps) + " packets");
    out += "  counter banned {}\n";
    return out;
}

std::string prerouting(const Ctx& c) {
    std::string out =
        "  chain pre {\n    type filter hook prerouting priority -450; policy accept;\n    iif \"lo\" "
        "accept\n";
    out += both("meta pkttype host fib saddr type local " + c.budget() + c.log("land"));
    if (c.s.drop_malformed) out += "    meta pkttype host fib saddr type local drop\n";
    out += both("{ip} saddr @allow{n} goto fragments");
    out += both("{ip} saddr @ban{n} counter name \"banned\" drop");
    out += "    ip6 saddr @ban6net counter name \"banned\" drop\n    goto fragments\n  }\n";
    out += "  chain fragments {\n";
    out +=
        "    ip frag-off & 0x3fff != 0 update @fraglog4 { ip saddr limit rate 50/second burst 50 packets } "
        "limit name "
        "\"log_total\" " +
        c.log("fragment") + "\n";
    out +=
        "    exthdr frag exists update @fraglog6 { ip6 saddr limit rate 50/second burst 50 packets } limit "
        "name "
        "\"log_total\" " +
        c.log("fragment") + "\n  }\n";
    out +=
        "  chain out {\n    type filter hook output priority -450; policy accept;\n    oif \"lo\" accept\n";
    out += both("{ip} daddr @ban{n} drop") + "    ip6 daddr @ban6net drop\n  }\n";
    return out;
}

std::string detect(const Ctx& c) {
    std::string out = "  chain detect {\n    type filter hook input priority -10; policy accept;\n";
    out += "    iif \"lo\" accept\n    meta pkttype != host accept\n";
    out += both(
        "ct direction original udp dport @sig_udp update @sigflow{n} { {ip} saddr . meta l4proto . th sport "
        ". "
        "th dport limit rate 1/hour burst 4 packets } " +
        c.budget() + c.log("signature", kSignatureSnaplen));
    out += both(
        "ct state established ct direction original tcp dport @sig_tcp update @sigflow{n} { {ip} saddr . "
        "meta "
        "l4proto . th sport . th dport limit rate 1/hour burst 4 packets } " +
        c.budget() + c.log("signature", kSignatureSnaplen));
    // Rates count every packet, also of flows conntrack already knows (a
    // flood reuses one flow: nping keeps its ports and ICMP identifier).
    out += "    meta l4proto udp jump udp_rates\n    meta l4proto { icmp, ipv6-icmp } jump icmp_rates\n";
    out += "    ct state established,related accept\n";
    out += both("{ip} saddr @attack{n} jump attack");
    out += "    meta l4proto tcp jump tcp_new\n    meta l4proto udp jump udp_new\n";
    out += "    meta l4proto { icmp, ipv6-icmp } jump icmp_new\n    meta l4proto igmp accept\n";
    out += "    meta l4proto sctp jump sctp_new\n    jump other_new\n  }\n";
    const auto& t = c.s.thresholds;
    out += "  chain attack {\n    tcp dport @sig_tcp drop\n    udp dport @sig_udp drop\n";
    out += "    tcp flags & (fin|syn|rst|psh|ack|urg) == syn socket transparent { 0, 1 } limit rate over " +
           num(t.syn_flood_pps) + "/second burst " + num(t.syn_flood_pps) + " packets drop\n";
    out += "    tcp flags & (fin|syn|rst|psh|ack|urg) == syn socket transparent { 0, 1 } return\n";
    out += "    meta l4proto udp socket transparent { 0, 1 } limit rate over " + num(t.udp_flood_pps) +
           "/second burst " + num(t.udp_flood_pps) + " packets drop\n";
    out += "    meta l4proto udp socket transparent { 0, 1 } return\n    drop\n  }\n";
    return out;
}

// Packets to a port without a socket: the first per (source, protocol, port
// — and TCP flags) and minute is logged; repeats only when the source is
// over the flood rate.
std::string closed_path(const Ctx& c, std::string_view seen, std::string_view fail_meter, uint32_t pps) {
    const std::string key = "{ip} saddr . meta l4proto . th dport";
    const std::string set = "@" + std::string(seen) + "{n}";
    std::string out;
    out += both(key + " " + set + " " + c.meter(fail_meter, pps) + c.log("closed_rate") + " accept");
    out += both(key + " " + set + " accept");
    out += both("add " + set + " { " + key + " } " + c.budget() + c.log("closed") + " accept");
    // The seen set is full (a flood of spoofed sources): log without deduplication.
    out += both("meta nfproto ipv{n} " + c.budget() + c.log("closed") + " accept");
    return out + "    accept\n";
}

std::string tcp_chains(const Ctx& c) {
    const auto& t = c.s.thresholds;
    std::string out = "  chain tcp_new {\n";
    out += "    tcp flags & (syn|ack) == syn limit name \"syn_all\" limit name \"sample_total\" " +
           c.log("syn_global") + "\n";
    out +=
        "    tcp flags & (syn|fin) == syn|fin jump invalid_flags\n    tcp flags & (syn|rst) == syn|rst jump "
        "invalid_flags\n";
    out += "    socket transparent { 0, 1 } goto tcp_open\n    tcp flags & rst == rst accept\n";
    out +=
        "    tcp flags & (fin|syn|rst|psh|ack|urg) vmap { syn : goto closed_syn, fin : goto closed_fin, 0x0 "
        ": goto "
        "closed_null, fin|psh|urg : goto closed_xmas, fin|ack : goto closed_maimon, ack : goto closed_ack "
        "}\n";
    out += "    goto closed_other\n  }\n";
    for (const char* cls : {"syn", "fin", "null", "xmas", "maimon", "ack", "other"})
        out += "  chain closed_" + std::string(cls) + " {\n" +
               closed_path(c, "seen_" + std::string(cls), "failtcp", t.syn_flood_pps) + "  }\n";
    out += "  chain invalid_flags {\n" + both(c.budget() + c.log("open_odd"));
    // Excluded and never-block sources are reported, never dropped.
    if (c.s.drop_malformed) out += both("{ip} saddr != @allow{n} drop");
    out += "    accept\n  }\n";
    out += "  chain tcp_open {\n    tcp flags & (fin|syn|rst|psh|ack|urg) == syn goto syn_open\n";
    out += "    tcp flags & rst == rst accept\n" + both(c.budget() + c.log("open_odd")) + "    accept\n  }\n";
    out += "  chain syn_open {\n" + both("tcp window < 1024 " + c.budget() + c.log("open_odd"));
    out += both(c.meter("synrate", t.syn_flood_pps) + c.log("syn_rate")) + "    accept\n  }\n";
    return out;
}

std::string other_chains(const Ctx& c) {
    const auto& t = c.s.thresholds;
    std::string out = "  chain udp_rates {\n";
    out += "    limit name \"udp_all\" limit name \"sample_total\" " + c.log("udp_global") + "\n";
    out += both(c.meter("udprate", t.udp_flood_pps) + c.log("udp_rate")) + "  }\n";
    out += "  chain udp_new {\n    socket transparent { 0, 1 } accept\n" +
           closed_path(c, "seen", "failudp", t.udp_flood_pps) + "  }\n";
    out += "  chain sctp_new {\n" + closed_path(c, "seen", "failudp", t.udp_flood_pps) + "  }\n";
    out += "  chain icmp_rates {\n";
    out += both("{icmp} type echo-request limit name \"icmp_all\" limit name \"sample_total\" " +
                c.log("icmp_global"));
    out += both("{icmp} type echo-request " + c.meter("icmprate", t.icmp_flood_pps) + c.log("icmp_rate")) +
           "  }\n";
    out += "  chain icmp_new {\n";
    out += both("{icmp} type echo-request {icmp} code != 0 " + c.budget() + c.log("icmp_odd"));
    out += family("icmp type { timestamp-request, info-request, address-mask-request } " + c.budget() +
                      c.log("icmp_odd"),
                  false);
    out += "    accept\n  }\n";
    // Other IP protocols: the first packet per (source, protocol) and minute.
    out += "  chain other_new {\n" + both("{ip} saddr . meta l4proto @proto{n} accept");
    out += both("add @proto{n} { {ip} saddr . meta l4proto } " + c.budget() + c.log("protocol") + " accept");
    out += "    accept\n  }\n";
    return out;
}

}  // namespace

std::string build_ruleset(const DataPlaneSpec& spec) {
    if (spec.table.empty() || spec.table.size() > 64) throw std::invalid_argument("bad nftables table name");
    const Ctx c{spec};
    std::string out = "add table inet " + spec.table + "\ndelete table inet " + spec.table + "\n";
    out += "table inet " + spec.table + " {\n" + sets(spec) + prerouting(c) + detect(c) + tcp_chains(c) +
           other_chains(c) + "}\n";
    return out;
}

std::string set_for(const IpPrefix& p, bool attack) {
    const bool v6 = p.address.is_v6();
    if (attack) return v6 ? "attack6" : "attack4";
    if (!p.is_host()) {
        if (!v6) throw std::invalid_argument("IPv4 prefixes are never banned: " + p.text());
        return "ban6net";
    }
    return v6 ? "ban6" : "ban4";
}

std::string add_element_text(std::string_view table, const TimedPrefix& t, bool attack) {
    const std::string where = "inet " + std::string(table) + " " + set_for(t.prefix, attack);
    const std::string e = t.prefix.text();
    const std::string timeout = " timeout " + num(uint64_t(std::max<int64_t>(t.remaining_ms, 1000))) + "ms";
    return "add element " + where + " { " + e + timeout + " }\ndelete element " + where + " { " + e +
           " }\nadd element " + where + " { " + e + timeout + " }\n";
}

std::string allow_update_text(std::string_view table, const std::vector<IpPrefix>& allow) {
    std::string out;
    for (const bool v6 : {false, true}) {
        const std::string set = "inet " + std::string(table) + (v6 ? " allow6" : " allow4");
        out += "flush set " + set + "\n";
        std::string elems;
        for (const auto& p : allow)
            if (p.address.is_v6() == v6) elems += (elems.empty() ? "" : ", ") + p.text();
        if (!elems.empty()) out += "add element " + set + " { " + elems + " }\n";
    }
    return out;
}

std::string remove_element_text(std::string_view table, const IpPrefix& p, bool attack) {
    const std::string where = "inet " + std::string(table) + " " + set_for(p, attack);
    return "add element " + where + " { " + p.text() + " timeout 1s }\ndelete element " + where + " { " +
           p.text() + " }\n";
}

}  // namespace vigil::network_threat
