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
