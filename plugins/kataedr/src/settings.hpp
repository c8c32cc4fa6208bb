// The connector's settings: mapped from the plugin's JSON section (keys, bounds and
// defaults are settings.schema.json's; the initializers equal its defaults) and
// checked beyond what the schema can express (URLs, fields that depend on each other).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "url.hpp"

namespace vigil::kataedr {

// An event is excluded when a rule matches: every field the rule sets must
// match (exe: fnmatch glob over the executable path; cmdline: PCRE2 regex
// searched in the command line).
struct ExclusionRule {
    std::string exe_glob;
    std::string cmdline_regex;
    bool operator==(const ExclusionRule&) const = default;
};

struct Settings {
    std::vector<ServerUrl> servers;
    std::string server_ca;  // CA bundle or pinned server certificate (PEM)
    bool mutual_auth = false;
    std::string client_p12;
    std::string client_p12_password_file;
    std::string enrollment_token_file;  // token from `vigil-central enroll create` (file mode 0600)
    uint32_t connect_timeout_s = 10;
    uint32_t request_timeout_s = 10;
    uint32_t sync_period_s = 300;
    uint32_t max_send_delay_s = 30;
    uint32_t max_batch_events = 1024;
    uint32_t parallel_uploads = 2;  // telemetry batches in flight, each on its own connection
    bool rate_limit_enabled = true;
    uint32_t events_per_hour = 3000;
    uint32_t type_threshold_percent = 15;
    uint32_t owner_share_percent = 25;          // of events_per_hour, per user id
    uint32_t detection_tree_protect_s = 3600;   // how long a tree with a detection bypasses limits
    uint32_t max_event_bytes = 65536;           // one converted event
    uint32_t max_string_bytes = 8192;           // one string in it (longer: cut and marked)
    uint64_t max_batch_bytes = 16ull << 20;     // uncompressed batch body
    uint64_t max_batch_compressed_bytes = 8ull << 20;  // gzip batch body
    bool telemetry_enabled = true;
    std::vector<ExclusionRule> exclusions;
    double spool_max_mb = 100;  // MiB; fractions allowed
    uint32_t task_poll_wait_s = 25;
    uint32_t task_timeout_s = 300;  // for tasks that carry no timeout_s
    // What the central node may ask for (see task_authorization.hpp). Absent from the
    // settings: the product's task types (parse_settings; the schema's x-default).
    std::vector<std::string> allowed_tasks;
    std::vector<std::string> task_signing_keys;  // Ed25519 public keys (PEM files)
    bool operator==(const Settings&) const = default;
};

// Maps the settings the host validated and defaulted; throws std::invalid_argument
// with a message that names the offending key ("kataedr.servers[1]: ...").
Settings parse_settings(std::string_view json);

// The JSON Schema (draft 4) the host validates the settings against.
extern const char* const kConfigSchema;

}  // namespace vigil::kataedr
