#include "settings.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <vigil/common/small_file.hpp>

#include "default_rules.hpp"

namespace vigil::network_threat {

namespace {

using Value = rapidjson::Value;

[[noreturn]] void fail(const std::string& key, const std::string& why) {
    throw SettingsError("network_threat." + key + ": " + why);
}

// The schema has already bounded the values; the checks here repeat the
// bounds so a host that does not validate cannot hand over nonsense.
uint32_t uint_of(const Value& obj, const char* key, uint32_t def, uint32_t min, uint32_t max,
                 const std::string& path) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return def;
    if (!it->value.IsUint64() || it->value.GetUint64() < min || it->value.GetUint64() > max)
        fail(path + key, "expected an integer " + std::to_string(min) + "-" + std::to_string(max));
    return uint32_t(it->value.GetUint64());
}

bool bool_of(const Value& obj, const char* key, bool def) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return def;
    if (!it->value.IsBool()) fail(key, "expected true or false");
    return it->value.GetBool();
}

std::string string_of(const Value& obj, const char* key, const std::string& def) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return def;
    if (!it->value.IsString()) fail(key, "expected a string");
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::vector<std::string> strings_of(const Value& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return out;
    if (!it->value.IsArray()) fail(key, "expected a list of strings");
    for (const auto& v : it->value.GetArray()) {
        if (!v.IsString()) fail(key, "expected a list of strings");
        out.emplace_back(v.GetString(), v.GetStringLength());
    }
    return out;
}

std::vector<common::IpPrefix> prefixes_of(const Value& obj, const char* key) {
    std::vector<common::IpPrefix> out;
    size_t i = 0;
    for (const auto& text : strings_of(obj, key)) {
        std::string err;
        auto p = common::parse_ip_prefix(text, &err);
        if (!p) fail(std::string(key) + "[" + std::to_string(i) + "]", err);
        out.push_back(*p);
        ++i;
    }
    return out;
}

Thresholds thresholds_of(const Value& obj) {
    Thresholds t;
    auto it = obj.FindMember("thresholds");
    if (it == obj.MemberEnd()) return t;
    if (!it->value.IsObject()) fail("thresholds", "expected an object");
    const Value& v = it->value;
    const std::string p = "thresholds.";
    t.window_s = uint_of(v, "window_s", t.window_s, 5, 3600, p);
    t.tcp_ports = uint_of(v, "tcp_ports", t.tcp_ports, 2, 64, p);
    t.stealth_ports = uint_of(v, "stealth_ports", t.stealth_ports, 1, 64, p);
    t.udp_ports = uint_of(v, "udp_ports", t.udp_ports, 2, 64, p);
    t.sctp_ports = uint_of(v, "sctp_ports", t.sctp_ports, 2, 64, p);
    t.ip_protocols = uint_of(v, "ip_protocols", t.ip_protocols, 2, 64, p);
    t.os_probes = uint_of(v, "os_probes", t.os_probes, 2, 10, p);
    t.medium_window_s = uint_of(v, "medium_window_s", t.medium_window_s, 60, 7200, p);
    t.medium_ports = uint_of(v, "medium_ports", t.medium_ports, 2, 64, p);
    t.slow_window_s = uint_of(v, "slow_window_s", t.slow_window_s, 600, 86400, p);
    t.slow_ports = uint_of(v, "slow_ports", t.slow_ports, 2, 64, p);
    t.syn_flood_pps = uint_of(v, "syn_flood_pps", t.syn_flood_pps, 100, 10000000, p);
    t.udp_flood_pps = uint_of(v, "udp_flood_pps", t.udp_flood_pps, 100, 10000000, p);
    t.icmp_flood_pps = uint_of(v, "icmp_flood_pps", t.icmp_flood_pps, 10, 10000000, p);
    t.distributed_syn_pps = uint_of(v, "distributed_syn_pps", t.distributed_syn_pps, 1000, 100000000, p);
    t.distributed_udp_pps = uint_of(v, "distributed_udp_pps", t.distributed_udp_pps, 1000, 100000000, p);
    t.distributed_icmp_pps = uint_of(v, "distributed_icmp_pps", t.distributed_icmp_pps, 1000, 100000000, p);
    if (t.medium_window_s <= t.window_s) fail("thresholds.medium_window_s", "must be longer than window_s");
    if (t.slow_window_s <= t.medium_window_s)
        fail("thresholds.slow_window_s", "must be longer than medium_window_s");
    return t;
}

}  // namespace

Settings parse_settings(std::string_view json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject())
        throw SettingsError("network_threat: settings are not a JSON object");
    Settings s;
    const std::string action = string_of(d, "action_on_detect", "block");
    if (action != "block" && action != "notify")
        fail("action_on_detect", "expected block or notify, got '" + action + "'");
    s.block = action == "block";
    s.block_attacking_hosts = bool_of(d, "block_attacking_hosts", s.block_attacking_hosts);
    s.block_duration_minutes = uint_of(d, "block_duration_minutes", s.block_duration_minutes, 1, 32768, "");
    s.exclude_ips = prefixes_of(d, "exclude_ips");
    s.never_block = prefixes_of(d, "never_block");
    s.central_nodes = strings_of(d, "central_nodes");
    s.connector_plugin = string_of(d, "connector_plugin", s.connector_plugin);
    s.ipv6_block_prefix = uint_of(d, "ipv6_block_prefix", s.ipv6_block_prefix, 64, 128, "");
    if (s.ipv6_block_prefix != 64 && s.ipv6_block_prefix != 128)
        fail("ipv6_block_prefix", "expected 64 or 128");
    s.max_new_bans_per_minute =
        uint_of(d, "max_new_bans_per_minute", s.max_new_bans_per_minute, 1, 10000, "");
    s.table = string_of(d, "table", s.table);
    if (s.table.empty() || s.table.size() > 64 || !std::isalpha(static_cast<unsigned char>(s.table[0])) ||
        s.table.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            std::string::npos)
        fail("table", "'" + s.table + "' is not an nftables table name (a letter, then letters, digits, _)");
    s.nflog_group = uint_of(d, "nflog_group", s.nflog_group, 1, 65535, "");
    s.default_rules = bool_of(d, "default_rules", s.default_rules);
    s.rules_files = strings_of(d, "rules_files");
    for (size_t i = 0; i < s.rules_files.size(); ++i)
        if (s.rules_files[i].empty() || s.rules_files[i][0] != '/')
            fail("rules_files[" + std::to_string(i) + "]",
                 "'" + s.rules_files[i] + "' is not an absolute path");
    s.log_rate_per_source = uint_of(d, "log_rate_per_source", s.log_rate_per_source, 10, 100000, "");
    s.log_rate_total = uint_of(d, "log_rate_total", s.log_rate_total, 100, 1000000, "");
    s.max_tracked_sources = uint_of(d, "max_tracked_sources", s.max_tracked_sources, 1024, 1048576, "");
    s.resolv_conf = string_of(d, "resolv_conf", s.resolv_conf);
    s.thresholds = thresholds_of(d);
    return s;
}

RuleSet load_rules(const Settings& s) {
    RuleSet all;
    try {
        if (s.default_rules) all.add(RuleSet::parse(kDefaultRules, "default.rules"));
        for (const auto& path : s.rules_files) {
            std::optional<std::string> text;
            try {
                text = common::read_small_file(path, {.max_bytes = 16u << 20});
            } catch (const std::exception& e) {
                throw SettingsError("network_threat.rules_files: " + std::string(e.what()));
            }
            if (!text) throw SettingsError("network_threat.rules_files: " + path + " does not exist");
            all.add(RuleSet::parse(*text, path));
        }
    } catch (const RuleError& e) {
        throw SettingsError(std::string("network_threat signature rules: ") + e.what());
    }
    return all;
}

}  // namespace vigil::network_threat
