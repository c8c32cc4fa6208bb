// The plugin's settings: its YAML section (as JSON) mapped into a typed
// struct. The JSON Schema (settings.schema.json, compiled in) is the source
// of truth for keys, ranges and defaults; this file keeps the defaults the
// same (a unit test compares them) and the checks a schema cannot express.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <vigil/common/ip_address.hpp>

#include "rules.hpp"
#include "thresholds.hpp"

namespace vigil::network_threat {

class SettingsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Settings {
    bool block = true;  // action_on_detect: block (true) or notify
    bool block_attacking_hosts = true;
    uint32_t block_duration_minutes = 60;
    std::vector<common::IpPrefix> exclude_ips;
    std::vector<common::IpPrefix> never_block;
    std::vector<std::string> central_nodes;
    std::string connector_plugin = "kataedr";
    uint32_t ipv6_block_prefix = 128;
    uint32_t max_new_bans_per_minute = 100;
    std::string table = "vigil_network_threat";
    uint32_t nflog_group = 6150;
    bool default_rules = true;
    std::vector<std::string> rules_files;
    uint32_t log_rate_per_source = 200;
    uint32_t log_rate_total = 2000;
    uint32_t max_tracked_sources = 16384;
    std::string resolv_conf = "/etc/resolv.conf";
    Thresholds thresholds;

    std::string mode() const { return block ? "block" : "notify"; }
};

// Maps and checks the settings JSON; SettingsError names the key and the problem.
Settings parse_settings(std::string_view json);

// The signature rules the settings ask for (the default set and rules_files);
// SettingsError names the file, line and reason.
RuleSet load_rules(const Settings& s);

extern const char* const kSettingsSchema;

}  // namespace vigil::network_threat
