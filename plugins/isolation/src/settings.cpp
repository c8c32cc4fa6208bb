#include "settings.hpp"

#include <vigil/settings.hpp>

#include "json_input.hpp"

namespace vigil::isolation {

// The host has validated the settings against settings.schema.json and filled
// its defaults; this maps them (an absent key keeps the field's initializer,
// which equals the schema's default). Endpoints and exclusions are domain values the
// schema cannot check (addresses, port ranges, cgroup paths, which fields go
// together), so their parsers still refuse with the field and the reason.
// The table name is checked again where the ruleset text is built.
Settings parse_settings(std::string_view json) {
    try {
        const vigil::SettingsReader r(json);
        const auto d = parse_json_object(json.empty() ? std::string_view("{}") : json, "isolation settings");
        Settings s;
        r.into("table", s.table);
        if (auto it = d.FindMember("central_nodes"); it != d.MemberEnd())
            s.central_nodes = parse_endpoint_list(it->value, "central_nodes");
        if (auto it = d.FindMember("exclusions"); it != d.MemberEnd())
            s.exclusions = parse_exclusion_list(it->value, "exclusions");
        r.into("allow_dhcp", s.allow_dhcp);
        r.into("allow_dns", s.allow_dns);
        r.into("default_timeout_s", s.default_timeout_s);
        r.into("contact_loss_release_s", s.contact_loss_release_s);
        r.into("self_test", s.self_test);
        r.into("self_test_timeout_s", s.self_test_timeout_s);
        r.into("check_interval_ms", s.check_interval_ms);
        r.into("contact_plugin", s.contact_plugin);
        return s;
    } catch (const vigil::SettingsError& e) {
        throw ValidationError(e.what());
    }
}

std::optional<Endpoint> parse_agent_proxy(std::string_view agent_json) {
    rapidjson::Document d;
    d.Parse(agent_json.data(), agent_json.size());
    if (d.HasParseError() || !d.IsObject()) return std::nullopt;
    auto it = d.FindMember("proxy");
    if (it == d.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) return std::nullopt;
    return parse_endpoint(it->value.GetString(), "agent.proxy");
}

}  // namespace vigil::isolation
