#include "verdict.hpp"

#include <vigil/enum_table.hpp>

#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

std::optional<Match> first_match(const ListSet& s, const Target& t, CategoryMask enabled) {
    if (!t.ip.empty())
        if (auto m = s.match_ip(t.ip, enabled)) return m;
    if (!t.host.empty()) {
        // A host that is an address is judged as that address too: the target
        // of a request through a proxy port ("GET http://[fd09::66]/",
        // "CONNECT 10.9.0.66:443") is not the connection's destination (the proxy).
        if (auto named = address_of_host(t.host); named && *named != t.ip)
            if (auto m = s.match_ip(*named, enabled)) return m;
        if (auto m = s.match_host(t.host, enabled)) return m;
    }
    if (t.url)
        if (auto m = s.match_url(*t.url, enabled)) return m;
    return std::nullopt;
}

}  // namespace

const char* decision_name(Decision d) {
    static constexpr EnumName<Decision> kNames[] = {
        {Decision::allow, "allow"}, {Decision::block, "block"}, {Decision::trusted, "trusted"}};
    return enum_name(kNames, d, "allow");
}

Verdict judge(const ListSet& blocked, const ListSet& trusted, const Target& t, CategoryMask enabled) {
    Verdict v;
    if (auto m = first_match(trusted, t, kAllCategories)) {
        v.decision = Decision::trusted;
        v.list = "trusted_addresses";
        v.match = std::move(m);
        if (auto b = first_match(blocked, t, enabled)) {
            v.overridden_list = blocked.lists()[b->list].name;
            v.overridden = std::move(b);
        }
        return v;
    }
    if (auto m = first_match(blocked, t, enabled)) {
        v.decision = Decision::block;
        v.list = blocked.lists()[m->list].name;
        v.match = std::move(m);
    }
    return v;
}

std::shared_ptr<const ListSet> build_trusted(const std::vector<std::string>& entries) {
    ListSetBuilder b;
    ListInfo info;
    info.name = "trusted_addresses";
    info.source = "settings";
    info.category = Category::other;
    b.begin_list(info);
    for (size_t i = 0; i < entries.size(); ++i) {
        std::string_view e = entries[i];
        auto fail = [&](const std::string& why) {
            return TrustedAddressError("trusted_addresses[" + std::to_string(i) + "] '" + entries[i] + "': " + why);
        };
        if (auto p = common::parse_ip_prefix(e)) {
            b.add_ip(*p);
            continue;
        }
        if (e.find('/') != std::string_view::npos) {
            std::string why;
            auto u = canonicalize_url(e, &why);
            if (!u) throw fail(why);
            b.add_url(*u);
            continue;
        }
        const bool wildcard = e.substr(0, 2) == "*.";
        if (wildcard) e.remove_prefix(2);
        const std::string host = canonical_host(e);
        std::string why;
        if (!valid_domain(host, &why)) throw fail("not a domain, address, CIDR or URL: " + why);
        b.add_domain(host, wildcard);
    }
    return b.finish();
}

}  // namespace vigil::web_threat
