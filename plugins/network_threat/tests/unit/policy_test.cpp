// The policy against the real kernel, inside a private network namespace.
#include "policy.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include <vigil/common/args.hpp>

#include "vigil/testing/private_netns.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::network_threat;
using vigil::common::parse_ip_address;
using vigil::common::parse_ip_prefix;

namespace {

struct Rig {
    vigil::testing::TempDir dir;
    int64_t now = 1'000'000;
    Settings settings;
    DataPlane dp{"nt_policy_test"};
    std::unique_ptr<Ledger> ledger;
    std::unique_ptr<Policy> policy;
    std::vector<ActionEvent> started;

    explicit Rig(Settings s = {}) : settings(std::move(s)) {
        settings.table = "nt_policy_test";
        dp.remove_table();  // a fresh kernel table: a leftover one would be adopted
        restart();
    }
    void restart() {
        ledger = std::make_unique<Ledger>(dir.path().string() + "/bans.json");
        policy = std::make_unique<Policy>(settings, dp, *ledger, [this] { return now; });
        std::vector<Protected> prot = fixed_protected();
        prot.push_back({*parse_ip_prefix("10.77.0.10"), "central node"});
        policy->set_protected(prot);
        DataPlaneSpec base;
        base.table = settings.table;
        std::vector<std::string> warnings;
        started = policy->start(base, warnings);
    }
    Finding finding(const std::string& src, ThreatClass cls = ThreatClass::scan_tcp_syn) const {
        Finding f;
        f.cls = cls;
        f.evidence.source = *parse_ip_address(src);
        return f;
    }
    bool in_kernel(const std::string& prefix) {
        for (const auto& e : dp.list())
            if (e.prefix.text() == prefix) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("policy: ban, already banned, excluded, never block, notify-only") {
    if (!vigil::testing::enter_private_netns()) return;
    Settings s;
    s.exclude_ips = {*parse_ip_prefix("10.50.0.0/16")};
    Rig r(s);
    auto d = r.policy->on_finding(r.finding("10.9.9.9"), 7);
    CHECK(d.action == Action::blocked);
    REQUIRE(d.ban);
    CHECK(d.ban->until_ms == r.now + 60 * 60000);
    REQUIRE(d.events.size() == 1);
    CHECK(d.events[0].action == "block");
    CHECK(d.events[0].threat_id == 7);
    CHECK(d.ban_ms > 0);
    CHECK(r.in_kernel("10.9.9.9"));
    CHECK(r.policy->on_finding(r.finding("10.9.9.9"), 8).action == Action::already_blocked);
    auto ex = r.policy->on_finding(r.finding("10.50.1.1"), 9);
    CHECK(ex.action == Action::excluded);
    CHECK(ex.reason.find("10.50.0.0/16") != std::string::npos);
    auto nb = r.policy->on_finding(r.finding("10.77.0.10"), 10);
    CHECK(nb.action == Action::never_block);
    CHECK(nb.reason == "central node");
    auto slow = r.finding("10.9.9.8");
    slow.notify_only = true;
    slow.notify_reason = "slow";
    CHECK(r.policy->on_finding(slow, 11).action == Action::notified);
    CHECK(r.policy->on_finding(r.finding("10.9.9.7", ThreatClass::flood_distributed), 12).action ==
          Action::notified);
    CHECK_FALSE(r.in_kernel("10.50.1.1"));
    CHECK_FALSE(r.in_kernel("10.77.0.10"));
    CHECK(r.policy->listed() == 1);
}

TEST_CASE("policy: ban cap, attack-traffic-only mode, IPv6 /64, notify mode") {
    if (!vigil::testing::enter_private_netns()) return;
    Settings s;
    s.max_new_bans_per_minute = 2;
    s.block_attacking_hosts = false;
    s.ipv6_block_prefix = 64;
    Rig r(s);
    CHECK(r.policy->on_finding(r.finding("10.1.0.1"), 1).action == Action::attack_dropped);
    CHECK(r.policy->on_finding(r.finding("2001:db8:5:6::77"), 2).action == Action::attack_dropped);
    auto capped = r.policy->on_finding(r.finding("10.1.0.3"), 3);
    CHECK(capped.action == Action::cap_reached);
    CHECK(capped.events.size() == 1);
    CHECK_FALSE(capped.events[0].ok);
    CHECK(r.policy->on_finding(r.finding("10.1.0.4"), 4).events.empty());  // one cap event a minute
    CHECK(r.in_kernel("10.1.0.1"));
    CHECK(r.policy->listed() == 0);  // attack sets are not listed
    r.now += 61000;
    CHECK(r.policy->on_finding(r.finding("10.1.0.5"), 5).action == Action::attack_dropped);

    Settings v6;
    v6.ipv6_block_prefix = 64;
    Rig r6(v6);
    auto d = r6.policy->on_finding(r6.finding("2001:db8:5:6::77"), 1);
    REQUIRE(d.ban);
    CHECK(d.ban->prefix.text() == "2001:db8:5:6::/64");
    CHECK(r6.in_kernel("2001:db8:5:6::/64"));

    Settings notify;
    notify.block = false;
    Rig rn(notify);
    CHECK(rn.policy->on_finding(rn.finding("10.2.0.1"), 1).action == Action::notified);
    CHECK(rn.dp.list().empty());
}

TEST_CASE("policy: operator commands") {
    if (!vigil::testing::enter_private_netns()) return;
    Rig r;
    std::string result;
    auto e = r.policy->block(R"({"ip":"10.3.0.1","minutes":5})", "vigilctl", 77, result);
    CHECK(e.action == "block");
    CHECK(e.correlation_id == 77);
    CHECK(e.origin == "vigilctl");
    CHECK(result.find("\"minutes\":5") != std::string::npos);
    CHECK(r.in_kernel("10.3.0.1"));
    r.policy->block(R"({"args":["10.3.0.2"]})", "task:9", 0, result);  // vigilctl's positional form
    CHECK(r.in_kernel("10.3.0.2"));
    CHECK_THROWS_WITH_AS(r.policy->block(R"({"ip":"10.77.0.10"})", "x", 0, result),
                         doctest::Contains("never blocked"), CommandError);
    CHECK_THROWS_WITH_AS(r.policy->block(R"({"ip":"10.3.0.300"})", "x", 0, result),
                         doctest::Contains("not an IPv4 or IPv6 address"), CommandError);
    CHECK_THROWS_WITH_AS(r.policy->block(R"({})", "x", 0, result), doctest::Contains("ip: missing"),
                         CommandError);
    CHECK_THROWS_AS(r.policy->block(R"({"ip":"10.3.0.3","minutes":40000})", "x", 0, result),
                    vigil::common::ArgError);
    CHECK_THROWS_AS(r.policy->block(R"({"ip":"10.3.0.3","colour":"red"})", "x", 0, result),
                    vigil::common::ArgError);
    CHECK_THROWS_AS(r.policy->block("[1]", "x", 0, result), vigil::common::ArgError);

    // Someone adds an element by hand: the list shows it too.
    REQUIRE(vigil::testing::run_shell("nft add element inet nt_policy_test ban4 { 10.3.0.9 timeout 1h }") ==
            0);
    const std::string list = r.policy->list_json();
    CHECK(list.find("\"count\":3") != std::string::npos);
    CHECK(list.find("added outside vigil") != std::string::npos);
    CHECK(list.find("\"origin\":\"task:9\"") != std::string::npos);
    CHECK(list.find("\"in_kernel\":true") != std::string::npos);

    auto u = r.policy->unblock(R"({"ip":"10.3.0.1"})", "vigilctl", 5, result);
    CHECK(u.action == "unblock");
    CHECK(result.find("\"was_blocked\":true") != std::string::npos);
    CHECK_FALSE(r.in_kernel("10.3.0.1"));
    auto none = r.policy->unblock(R"({"ip":"10.3.0.1"})", "vigilctl", 6, result);
    CHECK(none.action.empty());
    CHECK(result.find("\"was_blocked\":false") != std::string::npos);
    r.policy->unblock(R"({"ip":"10.3.0.9"})", "vigilctl", 6, result);
    CHECK_FALSE(r.in_kernel("10.3.0.9"));
}

TEST_CASE("policy: expiry, restart with remaining time, block to notify lifts, restore after a flush") {
    if (!vigil::testing::enter_private_netns()) return;
    Settings s;
    s.block_duration_minutes = 1;
    Rig r(s);
    r.policy->on_finding(r.finding("10.4.0.1"), 1);
    r.now += 30000;
    CHECK(r.policy->tick().empty());
    // Restart half-way: the ban comes back with its remaining time.
    r.restart();
    REQUIRE(r.started.size() == 1);
    CHECK(r.started[0].action == "restore");
    bool found = false;
    for (const auto& e : r.dp.list())
        if (e.prefix.text() == "10.4.0.1") {
            found = true;
            CHECK(e.expires_ms <= 30000);
            CHECK(e.expires_ms > 28000);
        }
    CHECK(found);
    r.now += 30000;
    auto expired = r.policy->tick();
    REQUIRE(expired.size() >= 1);
    CHECK(expired[0].action == "unblock");
    CHECK(expired[0].details_json.find("expired") != std::string::npos);
    CHECK_FALSE(r.in_kernel("10.4.0.1"));

    // The ruleset is flushed by someone: the next check puts the table and the ban back.
    r.policy->on_finding(r.finding("10.4.0.2"), 2);
    REQUIRE(vigil::testing::run_shell("nft flush ruleset") == 0);
    std::vector<ActionEvent> events;
    for (int i = 0; i < 2; ++i)
        for (auto& e : r.policy->tick()) events.push_back(e);
    REQUIRE(events.size() == 1);
    CHECK(events[0].action == "restore");
    CHECK(r.in_kernel("10.4.0.2"));
    // Only the set is flushed: found within ten checks.
    REQUIRE(vigil::testing::run_shell("nft flush set inet nt_policy_test ban4") == 0);
    events.clear();
    for (int i = 0; i < 10; ++i)
        for (auto& e : r.policy->tick()) events.push_back(e);
    REQUIRE(events.size() == 1);
    CHECK(events[0].details_json.find("sets outside vigil") != std::string::npos);
    CHECK(r.in_kernel("10.4.0.2"));

    // The ledger is lost: the bans the kernel holds are adopted, not dropped.
    std::filesystem::remove(r.dir.path() / "bans.json");
    r.restart();
    CHECK(r.in_kernel("10.4.0.2"));
    CHECK(r.policy->list_json().find("recovered from the kernel") != std::string::npos);

    // Block -> notify lifts every ban at the next start.
    r.settings.block = false;
    r.restart();
    REQUIRE(r.started.size() == 1);
    CHECK(r.started[0].action == "unblock");
    CHECK(r.started[0].details_json.find("switched from block to notify") != std::string::npos);
    CHECK(r.dp.list().empty());
    r.dp.remove_table();
}
