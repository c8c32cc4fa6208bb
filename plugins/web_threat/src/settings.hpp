// The plugin's settings: its YAML section (as JSON) mapped into a typed
// struct. settings.schema.json (compiled in) is the source of truth for keys,
// bounds and defaults; this file keeps the same defaults (a unit test
// compares them) and the checks a schema cannot express.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <vigil/settings.hpp>

#include "category.hpp"
#include "list_parser.hpp"

namespace vigil::web_threat {

using vigil::SettingsError;

// mitm.*: the encrypted connections scan (mitm_*.hpp).
struct MitmSettings {
    bool enabled = false;
    std::string ca_cert_file, ca_key_file, upstream_ca_file;
    bool allow_untrusted = false;      // untrusted_certificate_action: allow
    bool exclude_on_error = true;      // scan_error_action: add_to_exclusions
    bool https_block_page = true;
    uint32_t exclusion_ttl_s = 604800;
    std::vector<std::string> excluded_domains;
    uint32_t cert_cache_size = 1024;
    bool operator==(const MitmSettings&) const = default;
};

struct Settings {
    bool block = true;  // action_on_detect: block (true) or notify
    bool check_malicious = true;
    bool check_phishing = true;
    bool check_adware = false;
    bool check_other = true;
    std::vector<ListSpec> lists;
    std::vector<std::string> trusted_addresses;
    uint32_t max_list_mb = 1024;
    uint32_t max_central_lists_mb = 64;
    // Interception (the worker and its nftables redirect).
    bool intercept = true;
    std::vector<uint16_t> ports{80, 81, 82, 83, 443, 968, 1080, 3128, 7900, 8000, 8080, 8088, 8888, 11523};
    uint16_t listen_port = 15380;
    bool dns = true;
    uint16_t dns_port = 15353;
    std::vector<std::string> dns_upstreams;  // "addr" or "addr:port" / "[v6]:port"; empty: /etc/resolv.conf
    std::string dns_block_mode = "sinkhole";
    bool dns_strip_ech = true;  // ECH keys out of forwarded HTTPS/SVCB records (F15)
    bool fail_closed = false;  // fail_mode: closed
    std::string worker_user = "_vigil-web";
    std::string worker_path;  // "" = next to the plugin: ../libexec/vigil-web-worker
    uint32_t max_connections = 512;
    uint32_t first_bytes_ms = 300;
    bool reject_quic = true;
    bool reject_dot = true;
    bool block_doh = true;
    MitmSettings mitm;

    std::string mode() const { return block ? "block" : "notify"; }
    CategoryMask enabled() const;
    bool operator==(const Settings&) const = default;
};

// Maps and checks the settings JSON; SettingsError names the key and the problem.
Settings parse_settings(std::string_view json);

// One list of the settings or of web_threat.set_lists from its fields; the
// category and the match default by format. SettingsError names `where`
// ("lists[2].format") and the problem.
ListSpec make_list_spec(const std::string& where, std::string name, std::string path, std::string_view format,
                        const std::optional<std::string>& category, const std::optional<std::string>& match);

extern const char* const kSettingsSchema;

}  // namespace vigil::web_threat
