#include "command_args.hpp"

#include <vigil/common/args.hpp>
#include <vigil/json_writer.hpp>

#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

std::optional<std::string> member(const rapidjson::Value& obj, const char* key, const std::string& where) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return std::nullopt;
    if (!it->value.IsString()) throw common::ArgError(where + "." + key + ": expected a string");
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

SentList sent_list(const rapidjson::Value& item, const std::string& where) {
    if (!item.IsObject()) throw common::ArgError(where + ": expected an object");
    for (auto it = item.MemberBegin(); it != item.MemberEnd(); ++it) {
        const std::string_view k(it->name.GetString(), it->name.GetStringLength());
        if (k != "name" && k != "format" && k != "category" && k != "match" && k != "content")
            throw common::ArgError(where + ": unknown field '" + std::string(k) + "'");
    }
    auto name = member(item, "name", where), format = member(item, "format", where),
         content = member(item, "content", where);
    if (!name || !format || !content) throw common::ArgError(where + ": needs name, format and content");
    try {
        SentList l;
        l.spec = make_list_spec(where, *name, "", *format, member(item, "category", where), member(item, "match", where));
        l.content = std::move(*content);
        return l;
    } catch (const SettingsError& e) {
        throw common::ArgError(e.what());
    }
}

}  // namespace

std::vector<SentList> parse_set_lists(std::string_view args_json, uint64_t max_total_bytes) {
    common::Args a(args_json);
    const rapidjson::Value* lists = a.raw("lists");
    a.no_positionals("web_threat.set_lists");
    a.finish();
    if (!lists || !lists->IsArray()) throw common::ArgError("lists: expected a list of objects");
    if (lists->Size() > 256) throw common::ArgError("lists: at most 256 lists");
    std::vector<SentList> out;
    uint64_t total = 0;
    for (rapidjson::SizeType i = 0; i < lists->Size(); ++i) {
        const std::string where = "lists[" + std::to_string(i) + "]";
        out.push_back(sent_list((*lists)[i], where));
        total += out.back().content.size();
        if (total > max_total_bytes)
            throw common::ArgError("lists: more than " + std::to_string(max_total_bytes) + " bytes of content");
        for (size_t j = 0; j + 1 < out.size(); ++j)
            if (out[j].spec.name == out.back().spec.name)
                throw common::ArgError(where + ".name: '" + out.back().spec.name + "' is used twice");
    }
    return out;
}

Target parse_check(std::string_view args_json) {
    common::Args a(args_json);
    auto url = a.string("url", 16384), host = a.string("host", 1024), ip = a.string("ip", 64);
    if (!url && !host && !ip) {
        const auto words = a.positional_strings(1, 16384);
        if (words.size() != 1) throw common::ArgError("web_threat.check needs one url, host or ip");
        const std::string& word = words[0];
        if (common::parse_ip_address(word))
            ip = word;
        else if (word.find('/') != std::string::npos)
            url = word;
        else
            host = word;
    } else {
        a.no_positionals("web_threat.check");
    }
    a.finish();
    Target t;
    if (ip) {
        auto addr = common::parse_ip_address(*ip);
        if (!addr) throw common::ArgError("ip: '" + *ip + "' is not an IP address");
        t.ip = *addr;
    }
    if (url) {
        std::string why;
        t.url = canonicalize_url(*url, &why);
        if (!t.url) throw common::ArgError("url: " + why);
        t.host = t.url->host;
        if (auto addr = common::parse_ip_address(t.host); addr && t.ip.empty()) t.ip = *addr;
    }
    if (host) t.host = canonical_host(*host);
    return t;
}

std::string verdict_json(const Verdict& v, const Target& t, bool block_mode) {
    JsonWriter w;
    w.begin_object();
    const char* action = v.decision == Decision::block ? (block_mode ? "block" : "notify") : decision_name(v.decision);
    w.field("decision", decision_name(v.decision)).field("action", action);
    w.field("host", t.host);
    if (t.url) w.field("url", t.url->text());
    if (!t.ip.empty()) w.field("ip", t.ip.text());
    if (v.match) {
        w.field("list", v.list);
        // Trusted entries have no category of their own.
        if (v.decision == Decision::block) w.field("category", category_name(v.match->category));
        w.field("kind", match_kind_name(v.match->kind)).field("entry", v.match->entry);
    }
    w.end_object();
    return w.take();
}

}  // namespace vigil::web_threat
