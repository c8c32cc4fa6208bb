// The table against the real kernel, inside a private network namespace.
#include "data_plane.hpp"

#include <doctest/doctest.h>

#include <thread>

#include "default_rules.hpp"
#include "vigil/testing/private_netns.hpp"

using namespace vigil::network_threat;
using vigil::common::parse_ip_prefix;
using vigil::testing::enter_private_netns;
using vigil::testing::run_shell;

namespace {

DataPlaneSpec spec() {
    DataPlaneSpec s;
    s.table = "nt_unit_test";
    s.allow = {*parse_ip_prefix("10.9.0.0/16"), *parse_ip_prefix("fe80::/10"), *parse_ip_prefix("192.0.2.7")};
    auto rules = RuleSet::parse(kDefaultRules, "default");
    s.signature_tcp = rules.capture_ports(6);
    s.signature_udp = rules.capture_ports(17);
    s.bans = {{*parse_ip_prefix("198.51.100.9"), 60000},
              {*parse_ip_prefix("2001:db8::9"), 120000},
              {*parse_ip_prefix("2001:db8:1:2::/64"), 30000}};
    s.attack = {{*parse_ip_prefix("198.51.100.10"), 60000}};
    s.drop_malformed = true;
    return s;
}

}  // namespace

TEST_CASE("nft durations and set listings") {
    CHECK(parse_nft_duration_ms("59m58s852ms") == 3598852);
    CHECK(parse_nft_duration_ms("1d2h") == 93600000);
    CHECK(parse_nft_duration_ms("500ms") == 500);
    CHECK_FALSE(parse_nft_duration_ms(""));
    CHECK_FALSE(parse_nft_duration_ms("5x"));
    CHECK_FALSE(parse_nft_duration_ms("m"));
    auto e = parse_set_listing(
        "set ban4 {\n type ipv4_addr\n elements = { 1.2.3.4 timeout 1m expires 59s990ms,\n"
        "\t\t5.6.7.8 timeout 2h expires 1h }\n}\n",
        "ban4");
    REQUIRE(e.size() == 2);
    CHECK(e[0].prefix.text() == "1.2.3.4");
    CHECK(e[0].expires_ms == 59990);
    CHECK(e[1].expires_ms == 3600000);
    CHECK(parse_set_listing("set ban4 { type ipv4_addr }", "ban4").empty());
}

TEST_CASE("element transactions name the right set") {
    CHECK(set_for(*parse_ip_prefix("10.0.0.1"), false) == "ban4");
    CHECK(set_for(*parse_ip_prefix("fd00::1"), false) == "ban6");
    CHECK(set_for(*parse_ip_prefix("fd00::/64"), false) == "ban6net");
    CHECK(set_for(*parse_ip_prefix("fd00::1"), true) == "attack6");
    CHECK_THROWS(set_for(*parse_ip_prefix("10.0.0.0/24"), false));
    const auto t = add_element_text("T", {*parse_ip_prefix("10.0.0.1"), 61500}, false);
    CHECK(t ==
          "add element inet T ban4 { 10.0.0.1 timeout 61500ms }\ndelete element inet T ban4 { 10.0.0.1 }\n"
          "add element inet T ban4 { 10.0.0.1 timeout 61500ms }\n");
}

TEST_CASE("the table applies in the kernel; elements come and go; the kernel expires them") {
    if (!enter_private_netns()) {
        MESSAGE("skipped: needs root for a private network namespace");
        return;
    }
    DataPlane dp("nt_unit_test");
    dp.remove_table();
    CHECK_FALSE(dp.exists());
    auto s = spec();
    REQUIRE_NOTHROW(dp.apply(s));
    CHECK(dp.exists());
    auto listed = dp.list();
    CHECK(listed.size() == 4);
    for (const auto& e : listed) {
        CHECK(e.expires_ms > 0);
        CHECK(e.expires_ms <= 120000);
    }
    // The whole table is an independent nft parse away from the text we built.
    std::string out;
    CHECK(run_shell("nft list table inet nt_unit_test", &out) == 0);
    CHECK(out.find("hook prerouting priority -450") != std::string::npos);
    CHECK(out.find("hook input priority filter - 10") != std::string::npos);
    CHECK(out.find("6379") != std::string::npos);

    dp.add({*parse_ip_prefix("203.0.113.5"), 1500}, false);
    dp.add({*parse_ip_prefix("203.0.113.5"), 90000}, false);  // re-timed, not duplicated
    auto again = dp.list();
    int seen = 0;
    for (const auto& e : again)
        if (e.prefix.text() == "203.0.113.5") {
            ++seen;
            CHECK(e.expires_ms > 60000);
        }
    CHECK(seen == 1);
    dp.remove(*parse_ip_prefix("203.0.113.5"), false);
    dp.remove(*parse_ip_prefix("203.0.113.5"), false);  // absent: still fine
    for (const auto& e : dp.list()) CHECK(e.prefix.text() != "203.0.113.5");
    CHECK_THROWS_WITH_AS(dp.add({*parse_ip_prefix("10.0.0.0/24"), 1000}, false),
                         doctest::Contains("IPv4 prefixes"), std::invalid_argument);

    dp.add({*parse_ip_prefix("203.0.113.6"), 1000}, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    for (const auto& e : dp.list()) CHECK(e.prefix.text() != "203.0.113.6");
    CHECK(dp.banned_packets() == 0);
    dp.remove_table();
    CHECK_FALSE(dp.exists());
}

TEST_CASE("the table also applies with no signatures, no allowances and notify mode") {
    if (!enter_private_netns()) return;
    DataPlane dp("nt_unit_empty");
    DataPlaneSpec s;
    s.table = "nt_unit_empty";
    REQUIRE_NOTHROW(dp.apply(s));
    CHECK(dp.list().empty());
    dp.remove_table();
}
