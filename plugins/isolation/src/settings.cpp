#include "settings.hpp"

#include "json_input.hpp"
#include "ruleset.hpp"

namespace vigil::isolation {

namespace {

bool bool_of(const rapidjson::Value& v, const std::string& field) {
    if (!v.IsBool()) throw ValidationError(field + ": must be true or false");
    return v.GetBool();
}

}  // namespace

Settings parse_settings(std::string_view json) {
    auto d = parse_json_object(json, "isolation settings");
    Settings s;
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
        const std::string key(it->name.GetString(), it->name.GetStringLength());
        const auto& v = it->value;
        if (key == "table") {
            if (!v.IsString() || !valid_table_name(v.GetString()))
                throw ValidationError(
                    "table: must be a name of letters, digits and '_' starting with a letter");
            s.table = v.GetString();
        } else if (key == "central_nodes") {
            s.central_nodes = parse_endpoint_list(v, key);
        } else if (key == "exclusions") {
            s.exclusions = parse_exclusion_list(v, key);
        } else if (key == "allow_dhcp") {
            s.allow_dhcp = bool_of(v, key);
        } else if (key == "allow_dns") {
            s.allow_dns = bool_of(v, key);
        } else if (key == "default_timeout_s") {
            s.default_timeout_s = parse_seconds(v, key, 1, kMaxTimeout);
        } else if (key == "contact_loss_release_s") {
            s.contact_loss_release_s = parse_seconds(v, key, 0, kMaxTimeout);
        } else if (key == "self_test") {
            s.self_test = bool_of(v, key);
        } else if (key == "self_test_timeout_s") {
            s.self_test_timeout_s = parse_seconds(v, key, 1, 3600);
        } else if (key == "check_interval_ms") {
            s.check_interval_ms = parse_seconds(v, key, 100, 60000);
        } else if (key == "contact_plugin") {
            if (!v.IsString()) throw ValidationError("contact_plugin: must be a plugin name");
            s.contact_plugin = v.GetString();
        } else {
            throw ValidationError(key + ": unknown setting");
        }
    }
    return s;
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
