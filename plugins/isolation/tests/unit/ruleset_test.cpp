#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "json_input.hpp"
#include "vigil/common/nft.hpp"
#include "private_netns.hpp"
#include "ruleset.hpp"

using namespace vigil::isolation;
using vigil::isolation::test::enter_private_netns;
using vigil::isolation::test::run_shell;

namespace {

Exclusion ex(const char* json) {
    auto d = parse_json_object(json, "t");
    return parse_exclusion(d, "t");
}

// Feeds the text to the nft binary (a real, independent parser) in check mode.
int nft_check(const std::string& text, std::string* out) {
    const std::string path = "/tmp/isolation_ruleset_" + std::to_string(::getpid()) + ".nft";
    std::ofstream(path) << text;
    int rc = run_shell("nft --check -f " + path, out);
    ::unlink(path.c_str());
    return rc;
}

RulesetSpec sample_spec() {
    RulesetSpec s;
    s.table = "vigil_iso_unit";
    s.allowances.push_back(
        ex(R"({"direction":"outbound","protocol":6,"remote_address":"192.0.2.10","remote_ports":443})"));
    s.allowances.push_back(
        ex(R"({"direction":"outbound","remote_address":"198.51.100.0/24","remote_ports":"1000-2000"})"));
    s.allowances.push_back(ex(R"({"direction":"inbound","protocol":"tcp","local_ports":22})"));
    s.allowances.push_back(ex(
        R"({"direction":"inbound","protocol":17,"remote_address":"2001:db8::/32","local_ports":"5000-5010"})"));
    s.allowances.push_back(ex(R"({"direction":"both","remote_address":"203.0.113.7"})"));
    s.allowances.push_back(ex(R"({"direction":"outbound","protocol":"icmp"})"));
    s.allowances.push_back(ex(R"({"direction":"both","protocol":47,"remote_address":"203.0.113.8"})"));
    return s;
}

Exclusion agent_allowance(const char* addr, uint16_t port, const AgentScope& scope) {
    Exclusion e;
    e.direction = Direction::outbound;
    e.protocol = 6;
    e.remote = parse_cidr(addr, "t");
    e.remote_ports = PortRange{port, port};
    e.agent = scope;
    return e;
}

}  // namespace

TEST_CASE("isolation: central-node and proxy allowances match only the agent's own sockets") {
    RulesetSpec s;
    s.table = "vigil_iso_agent";
    s.resolve_cgroup = [](const std::string& p) { return p; };
    const AgentScope scope{"system.slice/vigild.service", 0, ""};
    s.allowances.push_back(agent_allowance("192.0.2.10", 8443, scope));
    s.allowances.push_back(agent_allowance("192.0.2.20", 3128, scope));
    s.allowances.push_back(ex(R"({"direction":"outbound","protocol":6,"remote_address":"198.51.100.5","remote_ports":80})"));
    const std::string t = build_isolation_ruleset(s);
    // Out: new flows only from sockets in vigild's cgroup owned by root (one set for both).
    CHECK(t.find("ip daddr . meta l4proto . th dport { 192.0.2.10 . 6 . 8443, 192.0.2.20 . 6 . 3128 } "
                 "socket cgroupv2 level 2 \"system.slice/vigild.service\" meta skuid 0 ct direction original accept") !=
          std::string::npos);
    // In: the replies of the flows that got out (the same shape as the user's exclusion there).
    CHECK(t.find("ip saddr . meta l4proto . th sport { 192.0.2.10 . 6 . 8443, 192.0.2.20 . 6 . 3128, "
                 "198.51.100.5 . 6 . 80 } ct direction reply accept") != std::string::npos);
    // A user exclusion to the same shape is not mixed into the agent's set.
    CHECK(t.find("ip daddr 198.51.100.5 meta l4proto 6 th dport 80 ct direction original accept") !=
          std::string::npos);
    // In the root cgroup only the uid restricts.
    RulesetSpec r;
    r.table = "vigil_iso_agent";
    r.allowances.push_back(agent_allowance("192.0.2.10", 8443, AgentScope{"", 0, "root cgroup"}));
    const std::string rt = build_isolation_ruleset(r);
    CHECK(rt.find("ip daddr 192.0.2.10 meta l4proto 6 th dport 8443 meta skuid 0 ct direction original accept") !=
          std::string::npos);
    CHECK(rt.find("cgroupv2") == std::string::npos);
    // A cgroup scope needs a resolver (nft resolves the path to an id).
    r.allowances[0].agent = scope;
    CHECK_THROWS_AS(build_isolation_ruleset(r), ValidationError);
}

TEST_CASE("isolation: ruleset text expresses each allowance from both chains") {
    const std::string t = build_isolation_ruleset(sample_spec());
    // One transaction that replaces the table whole.
    CHECK(t.rfind(
              "add table inet vigil_iso_unit\ndelete table inet vigil_iso_unit\ntable inet vigil_iso_unit {",
              0) == 0);
    CHECK(t.find("policy drop;") != std::string::npos);
    // Outbound allowances of one shape share a rule over a set: requests out,
    // replies in. Ports without a protocol mean every port-carrying protocol.
    CHECK(
        t.find("ip daddr . meta l4proto . th dport { 192.0.2.10 . 6 . 443, 198.51.100.0/24 . 6 . 1000-2000, "
               "198.51.100.0/24 . 17 . 1000-2000, 198.51.100.0/24 . 33 . 1000-2000, 198.51.100.0/24 . 132 . "
               "1000-2000, 198.51.100.0/24 . 136 . 1000-2000 } ct direction original accept") !=
        std::string::npos);
    CHECK(
        t.find(
            "ip saddr . meta l4proto . th sport { 192.0.2.10 . 6 . 443, 198.51.100.0/24 . 6 . 1000-2000, ") !=
        std::string::npos);
    // Inbound to a local port: requests in, replies out.
    CHECK(t.find("meta l4proto 6 th dport 22 ct direction original accept") != std::string::npos);
    CHECK(t.find("meta l4proto 6 th sport 22 ct direction reply accept") != std::string::npos);
    CHECK(t.find("ip6 saddr 2001:db8::/32 meta l4proto 17 th dport 5000-5010 ct direction original accept") !=
          std::string::npos);
    // Both directions: no ct direction restriction.
    CHECK(t.find("ip saddr 203.0.113.7 accept") != std::string::npos);
    CHECK(t.find("ip daddr 203.0.113.7 accept") != std::string::npos);
    CHECK(t.find("meta l4proto tcp counter reject with tcp reset") != std::string::npos);
    CHECK(t.find("udp sport 67") == std::string::npos);  // DHCP off by default

    RulesetSpec s = sample_spec();
    s.allow_dhcp = true;
    for (auto& e : dns_allowances({"192.0.2.53", "2001:db8::53"})) s.allowances.push_back(e);
    const std::string t2 = build_isolation_ruleset(s);
    // DHCP only as DHCP: broadcast / link-local, answers to broadcast or a tracked request.
    CHECK(t2.find("udp sport 68 udp dport 67 ip daddr 255.255.255.255 accept") != std::string::npos);
    CHECK(t2.find("udp sport 67 udp dport 68 ip daddr 255.255.255.255 accept") != std::string::npos);
    CHECK(t2.find("udp sport 67 udp dport 68 ct state established accept") != std::string::npos);
    CHECK(t2.find("ip6 saddr fe80::/10 ip6 daddr ff02::1:2 udp sport 546 udp dport 547 accept") !=
          std::string::npos);
    CHECK(t2.find("ip6 saddr fe80::/10 ip6 daddr fe80::/10 udp sport 547 udp dport 546 accept") !=
          std::string::npos);
    CHECK(t2.find("udp sport 68 udp dport 67 accept") == std::string::npos);
    // DNS only to the resolvers given.
    CHECK(t2.find("ip daddr . meta l4proto . th dport { 192.0.2.10 . 6 . 443, 198.51.100.0/24 . 6 . 1000-2000, "
                  "198.51.100.0/24 . 17 . 1000-2000, 198.51.100.0/24 . 33 . 1000-2000, 198.51.100.0/24 . 132 . "
                  "1000-2000, 198.51.100.0/24 . 136 . 1000-2000, 192.0.2.53 . 17 . 53, 192.0.2.53 . 6 . 53 } "
                  "ct direction original accept") != std::string::npos);
    CHECK(t2.find("2001:db8::53 . 17 . 53, 2001:db8::53 . 6 . 53") != std::string::npos);
    CHECK(t2.find("th dport { 17 . 53, 6 . 53 }") == std::string::npos);
    // Neighbour discovery stays on the link.
    CHECK(t2.find("nd-router-advert } ip6 hoplimit 255 accept") != std::string::npos);
    CHECK(count_rules(t2) > count_rules(t));

    CHECK(build_release("vigil_iso_unit") ==
          "add table inet vigil_iso_unit\ndelete table inet vigil_iso_unit\n");
    CHECK_THROWS_AS(build_release("bad;table"), ValidationError);
    s.table = "x y";
    CHECK_THROWS_AS(build_isolation_ruleset(s), ValidationError);
}

TEST_CASE("isolation: allowances of one shape share a rule, overlaps keep their own") {
    RulesetSpec s;
    s.table = "vigil_iso_group";
    for (const char* j : {R"({"direction":"both","remote_address":"203.0.113.7"})",
                          R"({"direction":"both","remote_address":"203.0.113.0/24"})",
                          R"({"direction":"both","remote_address":"2001:db8::1"})",
                          R"({"direction":"inbound","protocol":6,"local_ports":22})",
                          R"({"direction":"inbound","protocol":6,"local_ports":22})",
                          R"({"direction":"inbound","protocol":6,"local_ports":"20-25"})"})
        s.allowances.push_back(ex(j));
    const std::string t = build_isolation_ruleset(s);
    // One address per family: a single-field set (nft merges overlapping prefixes itself).
    CHECK(t.find("ip saddr { 203.0.113.7, 203.0.113.0/24 } accept") != std::string::npos);
    CHECK(t.find("ip6 saddr 2001:db8::1 accept") != std::string::npos);
    // 22 lies inside 20-25: a concatenated interval set would be refused by the
    // kernel, so these stay separate rules (the duplicate only once).
    CHECK(t.find("meta l4proto . th dport {") == std::string::npos);
    CHECK(t.find("meta l4proto 6 th dport 20-25 ct direction original accept") != std::string::npos);
    const auto first = t.find("meta l4proto 6 th dport 22 ct direction original accept");
    CHECK(first != std::string::npos);
    CHECK(t.find("meta l4proto 6 th dport 22 ct direction original accept", first + 1) == std::string::npos);
    if (test::enter_private_netns()) {
        vigil::common::nft::Runner nft;
        auto r = nft.run(t);
        CHECK_MESSAGE(r.ok, r.error);
        nft.run(build_release(s.table));
    }
}

TEST_CASE("isolation: the nft binary accepts the generated ruleset") {
    if (!enter_private_netns()) {
        MESSAGE("skipped: cannot create a network namespace (needs root)");
        return;
    }
    RulesetSpec s = sample_spec();
    s.allow_dhcp = true;
    for (auto& e : dns_allowances({"192.0.2.53", "2001:db8::53"})) s.allowances.push_back(e);
    s.allowances.push_back(agent_allowance("192.0.2.99", 3128, AgentScope{"", 0, ""}));
    std::string out;
    CHECK_MESSAGE(nft_check(build_isolation_ruleset(s), &out) == 0, out);

    // 1,000 exclusions of mixed shapes stay one valid transaction.
    RulesetSpec big;
    big.table = "vigil_iso_big";
    for (int i = 0; i < 1000; ++i) {
        Exclusion e;
        e.direction = i % 3 == 0 ? Direction::both : (i % 3 == 1 ? Direction::outbound : Direction::inbound);
        e.remote = parse_cidr("10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".0/24", "t");
        if (e.direction == Direction::outbound)
            e.remote_ports = PortRange{uint16_t(1000 + i), uint16_t(1000 + i)};
        if (e.direction == Direction::inbound) {
            e.protocol = 6;
            e.local_ports = PortRange{uint16_t(2000 + i), uint16_t(2000 + i)};
        }
        big.allowances.push_back(e);
    }
    CHECK_MESSAGE(nft_check(build_isolation_ruleset(big), &out) == 0, out);

    // A broken buffer is refused by the independent checker too (the test can fail).
    CHECK(nft_check("table inet x { chain c { ip daddr 10.0.0.0/33 accept } }", &out) != 0);
}

TEST_CASE("isolation: libnftables applies and removes the table atomically") {
    if (!enter_private_netns()) {
        MESSAGE("skipped: cannot create a network namespace (needs root)");
        return;
    }
    vigil::common::nft::Runner nft;
    RulesetSpec s = sample_spec();
    CHECK(!nft.table_exists("inet", s.table));
    auto r = nft.run(build_isolation_ruleset(s));
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(nft.table_exists("inet", s.table));
    std::string listing;
    REQUIRE(run_shell("nft list table inet " + s.table, &listing) == 0);
    CHECK(listing.find("ip daddr . meta l4proto . th dport { 192.0.2.10 . tcp . 443, ") != std::string::npos);
    CHECK(listing.find("ip6 saddr 2001:db8::/32 udp dport 5000-5010 ct direction original accept") !=
          std::string::npos);

    // Re-applying replaces, never duplicates.
    REQUIRE(nft.run(build_isolation_ruleset(s)).ok);
    std::string again;
    run_shell("nft list table inet " + s.table, &again);
    CHECK(again == listing);

    // A transaction with one bad rule changes nothing: the old table stays whole.
    std::string bad = build_isolation_ruleset(s);
    bad.insert(bad.find("    counter drop"), "    ip daddr 10.0.0.0/40 accept\n");
    r = nft.run(bad);
    CHECK(!r.ok);
    CHECK(!r.error.empty());
    std::string after;
    run_shell("nft list table inet " + s.table, &after);
    CHECK(after == listing);

    REQUIRE(nft.run(build_release(s.table)).ok);
    CHECK(!nft.table_exists("inet", s.table));
    CHECK(nft.run(build_release(s.table)).ok);  // idempotent
}

TEST_CASE("isolation: cgroup exclusions resolve against the cgroup v2 hierarchy") {
    CHECK_THROWS_WITH_AS(resolve_cgroup_on_host("vigil_no_such_cgroup_for_sure"),
                         doctest::Contains("does not exist"), ValidationError);
    if (!enter_private_netns()) return;
    // Create a real cgroup, resolve it, and let nft resolve the same string.
    std::string mount;
    run_shell("findmnt -n -t cgroup2 -o TARGET | head -1", &mount);
    while (!mount.empty() && mount.back() == '\n') mount.pop_back();
    if (mount.empty()) {
        MESSAGE("skipped: no cgroup v2 hierarchy mounted");
        return;
    }
    const std::string name = "vigil_iso_unit_" + std::to_string(::getpid());
    REQUIRE(::mkdir((mount + "/" + name).c_str(), 0755) == 0);
    RulesetSpec s;
    s.table = "vigil_iso_cg";
    s.resolve_cgroup = resolve_cgroup_on_host;
    s.allowances.push_back(ex(("{\"cgroup\":\"" + name + "\"}").c_str()));
    const std::string text = build_isolation_ruleset(s);
    CHECK(text.find("socket cgroupv2 level 1 \"") != std::string::npos);
    vigil::common::nft::Runner nft;
    auto r = nft.run(text);
    CHECK_MESSAGE(r.ok, r.error);
    nft.run(build_release(s.table));
    ::rmdir((mount + "/" + name).c_str());
}
