#include "host_facts.hpp"

#include <rapidjson/document.h>

#include <vigil/common/small_file.hpp>

namespace vigil::network_threat {

std::vector<std::string> connector_endpoints(std::string_view host_status_json, std::string_view connector) {
    std::vector<std::string> out;
    rapidjson::Document d;
    d.Parse(host_status_json.data(), host_status_json.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("plugins") || !d["plugins"].IsArray()) return out;
    for (const auto& p : d["plugins"].GetArray()) {
        if (!p.IsObject() || !p.HasMember("name") || !p["name"].IsString() ||
            p["name"].GetString() != connector)
            continue;
        if (!p.HasMember("status") || !p["status"].IsObject()) continue;
        const auto& st = p["status"];
        if (st.HasMember("servers") && st["servers"].IsArray())
            for (const auto& s : st["servers"].GetArray())
                if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
        if (st.HasMember("server") && st["server"].IsString()) out.emplace_back(st["server"].GetString());
        if (st.HasMember("proxy") && st["proxy"].IsString()) out.emplace_back(st["proxy"].GetString());
    }
    return out;
}

std::string agent_proxy(std::string_view agent_json) {
    rapidjson::Document d;
    d.Parse(agent_json.data(), agent_json.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("proxy") || !d["proxy"].IsString()) return "";
    return d["proxy"].GetString();
}

std::vector<Protected> gather_protected(const Settings& s, const HostFactSources& src) {
    std::vector<Protected> out = fixed_protected();
    const auto add = [&](std::vector<Protected> more) { out.insert(out.end(), more.begin(), more.end()); };
    for (const auto& url : s.central_nodes) add(addresses_of(url, "central node " + url));
    for (const auto& url : src.connector)
        add(addresses_of(url, "central node or proxy of the connector: " + url));
    if (!src.proxy.empty()) add(addresses_of(src.proxy, "agent proxy " + src.proxy));
    add(gateways_from(common::read_file_or_empty(src.proc_net + "/route"),
                      common::read_file_or_empty(src.proc_net + "/ipv6_route", 1 << 20)));
    add(resolvers_from(common::read_file_or_empty(s.resolv_conf)));
    add(own_addresses());
    for (const auto& p : s.never_block) out.push_back({p, "never_block setting"});
    return out;
}

}  // namespace vigil::network_threat
