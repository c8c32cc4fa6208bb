#include "status.hpp"

#include <vigil/common/time.hpp>

namespace vigil::web_threat {

void write_list_set(JsonWriter& w, const ListSet& set) {
    w.key("lists").begin_array();
    for (const auto& l : set.lists()) {
        w.begin_object()
            .field("name", l.name)
            .field("source", l.source)
            .field("format", format_name(l.format))
            .field("category", category_name(l.category))
            .field("match", l.suffix ? "suffix" : "exact")
            .field("domains", l.domains)
            .field("urls", l.urls)
            .field("ips", l.ips)
            .field("invalid_lines", l.invalid)
            .end_object();
    }
    w.end_array();
    w.field("domains", set.domain_count()).field("urls", set.url_count()).field("ips", set.ip_count());
    w.field("memory_bytes", set.memory_bytes());
}

namespace {

void strings(JsonWriter& w, const char* key, const std::vector<std::string>& v) {
    w.key(key).begin_array();
    for (const auto& s : v) w.str(s);
    w.end_array();
}

}  // namespace

std::string status_json(const StatusInput& in) {
    JsonWriter w;
    w.begin_object();
    w.field("mode", in.settings->mode());
    w.key("categories")
        .begin_object()
        .field("malicious", in.settings->check_malicious)
        .field("phishing", in.settings->check_phishing)
        .field("adware", in.settings->check_adware)
        .field("other", in.settings->check_other)
        .end_object();
    if (in.lists) write_list_set(w, *in.lists);
    w.field("trusted_addresses", in.trusted_entries);
    w.key("loaded_at");
    if (in.loaded_at_ns)
        w.str(common::format_rfc3339(in.loaded_at_ns));
    else
        w.null();
    w.field("load_ms", in.load_ms);
    strings(w, "list_errors", in.list_errors);
    strings(w, "problems", in.problems);
    w.field("checks", in.checks);
    w.key("interception").raw(in.interception_json);
    w.end_object();
    return w.take();
}

}  // namespace vigil::web_threat
