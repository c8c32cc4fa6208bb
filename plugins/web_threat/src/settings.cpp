#include "settings.hpp"

#include "host_name.hpp"
#include "verdict.hpp"

namespace vigil::web_threat {

namespace {

std::optional<std::string> opt_string(const json::Value& obj, const char* key, const std::string& where) {
    const json::Value* v = obj.find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) throw SettingsError(where + "." + key + ": expected a string");
    return v->as_string();
}

std::vector<ListSpec> lists_of(const SettingsReader& r) {
    std::vector<ListSpec> out;
    const json::Value* lists = r.find("lists");
    if (!lists) return out;
    if (!lists->is_array()) throw SettingsError("lists: expected a list of objects");
    for (size_t i = 0; i < lists->items().size(); ++i) {
        const auto& item = lists->items()[i];
        const std::string where = "lists[" + std::to_string(i) + "]";
        if (!item.is_object()) throw SettingsError(where + ": expected an object");
        auto name = opt_string(item, "name", where), path = opt_string(item, "path", where),
             format = opt_string(item, "format", where);
        if (!name || !path || !format) throw SettingsError(where + ": needs name, path and format");
        out.push_back(make_list_spec(where, *name, *path, *format, opt_string(item, "category", where),
                                     opt_string(item, "match", where)));
        for (size_t j = 0; j + 1 < out.size(); ++j)
            if (out[j].name == out.back().name) throw SettingsError(where + ".name: '" + *name + "' is used twice");
    }
    return out;
}

void interception_of(const SettingsReader& r, Settings& s) {
    r.into("intercept", s.intercept);
    if (const json::Value* ports = r.find("ports")) {
        if (!ports->is_array() || ports->items().empty()) throw SettingsError("ports: expected a list of ports");
        s.ports.clear();
        for (const auto& p : ports->items()) {
            if (!p.is_int64() || p.as_int64() < 1 || p.as_int64() > 65535)
                throw SettingsError("ports: expected ports (1-65535)");
            s.ports.push_back(uint16_t(p.as_int64()));
        }
    }
    r.into("listen_port", s.listen_port);
    r.into("dns", s.dns);
    r.into("dns_port", s.dns_port);
    r.into("dns_upstreams", s.dns_upstreams);
    r.into("dns_block_mode", s.dns_block_mode);
    r.into("dns_strip_ech", s.dns_strip_ech);
    if (s.dns_block_mode != "sinkhole" && s.dns_block_mode != "null" && s.dns_block_mode != "nxdomain")
        throw SettingsError("dns_block_mode: expected sinkhole, null or nxdomain");
    std::string fail_mode = "open";
    r.into("fail_mode", fail_mode);
    if (fail_mode != "open" && fail_mode != "closed") throw SettingsError("fail_mode: expected open or closed");
    s.fail_closed = fail_mode == "closed";
    r.into("worker_user", s.worker_user);
    r.into("worker_path", s.worker_path);
    r.into("max_connections", s.max_connections);
    r.into("first_bytes_ms", s.first_bytes_ms);
    r.into("reject_quic", s.reject_quic);
    r.into("reject_dot", s.reject_dot);
    r.into("block_doh", s.block_doh);
    if (s.listen_port == s.dns_port) throw SettingsError("dns_port: must differ from listen_port");
}

void mitm_of(const SettingsReader& r, MitmSettings& m) {
    r.into("mitm.enabled", m.enabled);
    r.into("mitm.ca_cert_file", m.ca_cert_file);
    r.into("mitm.ca_key_file", m.ca_key_file);
    r.into("mitm.upstream_ca_file", m.upstream_ca_file);
    if (m.ca_cert_file.empty() != m.ca_key_file.empty())
        throw SettingsError("mitm.ca_cert_file and mitm.ca_key_file: give both or neither");
    std::string untrusted = "block", on_error = "add_to_exclusions";
    r.into("mitm.untrusted_certificate_action", untrusted);
    r.into("mitm.scan_error_action", on_error);
    if (untrusted != "block" && untrusted != "allow")
        throw SettingsError("mitm.untrusted_certificate_action: expected block or allow");
    if (on_error != "add_to_exclusions" && on_error != "block")
        throw SettingsError("mitm.scan_error_action: expected add_to_exclusions or block");
    m.allow_untrusted = untrusted == "allow";
    m.exclude_on_error = on_error == "add_to_exclusions";
    r.into("mitm.exclusion_ttl_s", m.exclusion_ttl_s);
    r.into("mitm.https_block_page", m.https_block_page);
    r.into("mitm.excluded_domains", m.excluded_domains);
    for (const std::string& name : m.excluded_domains) {
        std::string why;
        if (!valid_domain(canonical_host(name.starts_with("*.") ? name.substr(2) : name), &why))
            throw SettingsError("mitm.excluded_domains: '" + name + "': " + why);
    }
    r.into("mitm.cert_cache_size", m.cert_cache_size);
}

}  // namespace

CategoryMask Settings::enabled() const {
    return CategoryMask((check_malicious ? bit(Category::malicious) : 0) |
                        (check_phishing ? bit(Category::phishing) : 0) | (check_adware ? bit(Category::adware) : 0) |
                        (check_other ? bit(Category::other) : 0));
}

ListSpec make_list_spec(const std::string& where, std::string name, std::string path, std::string_view format,
                        const std::optional<std::string>& category, const std::optional<std::string>& match) {
    ListSpec s;
    s.name = std::move(name);
    s.path = std::move(path);
    if (s.name.empty() || s.name.size() > 64 || s.name.find_first_of("/\\\n\r\t ") != std::string::npos ||
        s.name[0] == '.')
        throw SettingsError(where + ".name: expected 1-64 characters of [A-Za-z0-9_.-], not starting with '.'");
    auto f = format_from_name(format);
    if (!f) throw SettingsError(where + ".format: unknown list format '" + std::string(format) + "'");
    s.format = *f;
    s.category = default_category(s.format);
    s.suffix = default_suffix(s.format);
    if (category) {
        auto c = category_from_name(*category);
        if (!c) throw SettingsError(where + ".category: expected malicious, phishing, adware or other");
        s.category = *c;
    }
    if (match) {
        if (*match != "suffix" && *match != "exact") throw SettingsError(where + ".match: expected suffix or exact");
        s.suffix = *match == "suffix";
    }
    return s;
}

Settings parse_settings(std::string_view json) {
    try {
        const SettingsReader r(json);
        Settings s;
        std::string action = "block";
        r.into("action_on_detect", action);
        if (action != "block" && action != "notify")
            throw SettingsError("action_on_detect: expected block or notify, got '" + action + "'");
        s.block = action == "block";
        r.into("check_malicious", s.check_malicious);
        r.into("check_phishing", s.check_phishing);
        r.into("check_adware", s.check_adware);
        r.into("check_other", s.check_other);
        s.lists = lists_of(r);
        r.into("trusted_addresses", s.trusted_addresses);
        r.into("max_list_mb", s.max_list_mb);
        r.into("max_central_lists_mb", s.max_central_lists_mb);
        interception_of(r, s);
        mitm_of(r, s.mitm);
        try {
            (void)build_trusted(s.trusted_addresses);
        } catch (const TrustedAddressError& e) {
            throw SettingsError(e.what());
        }
        return s;
    } catch (const SettingsError& e) {
        throw SettingsError(std::string("web_threat: ") + e.what());
    }
}

}  // namespace vigil::web_threat
