#include "settings.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

#include "vigil/testing/temp_dir.hpp"

using namespace vigil::network_threat;

namespace {

std::string refusal(const std::string& json) {
    try {
        parse_settings(json);
    } catch (const SettingsError& e) {
        return e.what();
    }
    return "";
}

uint64_t schema_default(const rapidjson::Value& props, const char* key) {
    return props[key]["default"].GetUint64();
}

}  // namespace

TEST_CASE("settings: the defaults are the schema's defaults") {
    rapidjson::Document schema;
    schema.Parse(kSettingsSchema);
    REQUIRE_FALSE(schema.HasParseError());
    const auto& p = schema["properties"];
    const Settings s = parse_settings("{}");
    CHECK(std::string(p["action_on_detect"]["default"].GetString()) == s.mode());
    CHECK(p["block_attacking_hosts"]["default"].GetBool() == s.block_attacking_hosts);
    CHECK(schema_default(p, "block_duration_minutes") == s.block_duration_minutes);
    CHECK(schema_default(p, "ipv6_block_prefix") == s.ipv6_block_prefix);
    CHECK(schema_default(p, "max_new_bans_per_minute") == s.max_new_bans_per_minute);
    CHECK(std::string(p["table"]["default"].GetString()) == s.table);
    CHECK(schema_default(p, "nflog_group") == s.nflog_group);
    CHECK(p["default_rules"]["default"].GetBool() == s.default_rules);
    CHECK(schema_default(p, "log_rate_per_source") == s.log_rate_per_source);
    CHECK(schema_default(p, "log_rate_total") == s.log_rate_total);
    CHECK(schema_default(p, "max_tracked_sources") == s.max_tracked_sources);
    CHECK(std::string(p["resolv_conf"]["default"].GetString()) == s.resolv_conf);
    CHECK(std::string(p["connector_plugin"]["default"].GetString()) == s.connector_plugin);
    const auto& t = p["thresholds"]["properties"];
    const Thresholds d;
    CHECK(schema_default(t, "window_s") == d.window_s);
    CHECK(schema_default(t, "tcp_ports") == d.tcp_ports);
    CHECK(schema_default(t, "stealth_ports") == d.stealth_ports);
    CHECK(schema_default(t, "udp_ports") == d.udp_ports);
    CHECK(schema_default(t, "sctp_ports") == d.sctp_ports);
    CHECK(schema_default(t, "ip_protocols") == d.ip_protocols);
    CHECK(schema_default(t, "os_probes") == d.os_probes);
    CHECK(schema_default(t, "medium_window_s") == d.medium_window_s);
    CHECK(schema_default(t, "medium_ports") == d.medium_ports);
    CHECK(schema_default(t, "slow_window_s") == d.slow_window_s);
    CHECK(schema_default(t, "slow_ports") == d.slow_ports);
    CHECK(schema_default(t, "syn_flood_pps") == d.syn_flood_pps);
    CHECK(schema_default(t, "udp_flood_pps") == d.udp_flood_pps);
    CHECK(schema_default(t, "icmp_flood_pps") == d.icmp_flood_pps);
    CHECK(schema_default(t, "distributed_syn_pps") == d.distributed_syn_pps);
    CHECK(schema_default(t, "distributed_udp_pps") == d.distributed_udp_pps);
    CHECK(schema_default(t, "distributed_icmp_pps") == d.distributed_icmp_pps);
    // Every key has a default and a description.
    for (const auto& m : p.GetObject()) {
        CHECK_MESSAGE(m.value.HasMember("default"), m.name.GetString());
        CHECK_MESSAGE(m.value.HasMember("description"), m.name.GetString());
    }
    for (const auto& m : t.GetObject()) {
        CHECK_MESSAGE(m.value.HasMember("default"), m.name.GetString());
        CHECK_MESSAGE(m.value.HasMember("description"), m.name.GetString());
    }
}

TEST_CASE("settings: values are mapped") {
    const Settings s = parse_settings(R"({"action_on_detect":"notify","block_attacking_hosts":false,
        "block_duration_minutes":32768,"exclude_ips":["10.0.0.0/8","2001:db8::/32"],"never_block":["192.0.2.1"],
        "central_nodes":["https://c.example:8443"],"ipv6_block_prefix":64,"table":"t1","nflog_group":7,
        "thresholds":{"tcp_ports":20,"medium_window_s":600}})");
    CHECK_FALSE(s.block);
    CHECK_FALSE(s.block_attacking_hosts);
    CHECK(s.block_duration_minutes == 32768);
    REQUIRE(s.exclude_ips.size() == 2);
    CHECK(s.exclude_ips[1].text() == "2001:db8::/32");
    CHECK(s.never_block.at(0).text() == "192.0.2.1");
    CHECK(s.central_nodes.at(0) == "https://c.example:8443");
    CHECK(s.ipv6_block_prefix == 64);
    CHECK(s.thresholds.tcp_ports == 20);
    CHECK(s.thresholds.medium_window_s == 600);
    CHECK(s.thresholds.udp_ports == 10);
}

TEST_CASE("settings: bad values name the key") {
    CHECK(refusal(R"({"action_on_detect":"drop"})").find("action_on_detect") != std::string::npos);
    CHECK(refusal(R"({"block_duration_minutes":0})")
              .find("block_duration_minutes: expected an integer 1-32768") != std::string::npos);
    CHECK(refusal(R"({"block_duration_minutes":32769})").find("1-32768") != std::string::npos);
    CHECK(refusal(R"({"exclude_ips":["10.0.0.0/8","10.1.2.3/40"]})").find("exclude_ips[1]: prefix length") !=
          std::string::npos);
    CHECK(refusal(R"({"exclude_ips":"10.0.0.1"})").find("exclude_ips: expected a list") != std::string::npos);
    CHECK(refusal(R"({"ipv6_block_prefix":96})").find("ipv6_block_prefix") != std::string::npos);
    CHECK(refusal(R"({"table":"bad name"})").find("table") != std::string::npos);
    CHECK(refusal(R"({"rules_files":["relative.rules"]})").find("absolute") != std::string::npos);
    CHECK(refusal(R"({"thresholds":{"medium_window_s":60}})").find("longer than window_s") !=
          std::string::npos);
    CHECK(refusal(R"({"thresholds":{"tcp_ports":65}})").find("thresholds.tcp_ports") != std::string::npos);
    CHECK(refusal("[1]").find("not a JSON object") != std::string::npos);
}

TEST_CASE("settings: rules files load, with the line of a bad rule") {
    vigil::testing::TempDir dir;
    const auto good =
        dir.write("good.rules", "alert tcp any any -> any 9999 (msg:\"x\"; content:\"y\"; sid:1;)\n");
    const auto bad = dir.write("bad.rules", "\nalert tcp any any -> any 9999 (msg:\"x\"; sid:2;)\n");
    Settings s = parse_settings("{}");
    s.rules_files = {good};
    CHECK(load_rules(s).rules().size() == 9);
    s.default_rules = false;
    CHECK(load_rules(s).rules().size() == 1);
    s.rules_files = {bad};
    try {
        load_rules(s);
        FAIL("bad rules accepted");
    } catch (const SettingsError& e) {
        CHECK(std::string(e.what()).find("bad.rules:2: a rule needs content or pcre") != std::string::npos);
    }
    s.rules_files = {dir.path().string() + "/missing.rules"};
    CHECK_THROWS_WITH_AS(load_rules(s), doctest::Contains("does not exist"), SettingsError);
}
