#include "scan_request.hpp"

#include <rapidjson/document.h>

#include <stdexcept>

namespace vigil::file_threat {

namespace {
void add_paths(const rapidjson::Value& v, const char* key, std::vector<std::string>& out) {
    if (v.IsString()) {
        out.emplace_back(v.GetString(), v.GetStringLength());
        return;
    }
    if (!v.IsArray()) throw std::invalid_argument(std::string("'") + key + "' must be a path or a list of paths");
    for (const auto& p : v.GetArray()) {
        if (!p.IsString() || p.GetStringLength() == 0)
            throw std::invalid_argument(std::string("'") + key + "' entries must be non-empty strings");
        out.emplace_back(p.GetString(), p.GetStringLength());
    }
}
Action action_of(const rapidjson::Value& v) {
    if (!v.IsString()) throw std::invalid_argument("'actions' entries must be action names");
    auto a = parse_action(v.GetString());
    if (!a)
        throw std::invalid_argument(std::string("unknown action '") + v.GetString() +
                                    "' (expected block, quarantine, delete or notify)");
    return *a;
}
}  // namespace

ScanJobRequest parse_scan_request(const std::string& args_json, const ActionPair& default_actions) {
    rapidjson::Document doc;
    doc.Parse(args_json.empty() ? "{}" : args_json.c_str());
    if (doc.HasParseError() || !doc.IsObject()) throw std::invalid_argument("arguments must be a JSON object");
    ScanJobRequest r;
    r.actions = default_actions;
    for (const char* key : {"args", "paths", "path"})
        if (auto it = doc.FindMember(key); it != doc.MemberEnd()) add_paths(it->value, key, r.paths);
    if (r.paths.empty()) throw std::invalid_argument("no path to scan (give \"paths\": [...] or positional paths)");
    for (const auto& p : r.paths)
        if (p.front() != '/') throw std::invalid_argument("path '" + p + "' is not absolute");
    if (auto it = doc.FindMember("recursive"); it != doc.MemberEnd()) {
        if (!it->value.IsBool()) throw std::invalid_argument("'recursive' must be true or false");
        r.recursive = it->value.GetBool();
    }
    if (auto it = doc.FindMember("async"); it != doc.MemberEnd()) {
        if (!it->value.IsBool()) throw std::invalid_argument("'async' must be true or false");
        r.async = it->value.GetBool();
    }
    if (auto it = doc.FindMember("actions"); it != doc.MemberEnd()) {
        const auto& v = it->value;
        if (v.IsString()) {
            r.actions.first = action_of(v);
            r.actions.second = Action::Notify;
        } else if (v.IsArray() && v.Size() >= 1 && v.Size() <= 2) {
            r.actions.first = action_of(v[0]);
            r.actions.second = v.Size() == 2 ? action_of(v[1]) : Action::Notify;
        } else if (v.IsObject()) {
            auto f = v.FindMember("first");
            if (f == v.MemberEnd()) throw std::invalid_argument("'actions' object needs \"first\"");
            r.actions.first = action_of(f->value);
            auto s = v.FindMember("second");
            r.actions.second = s == v.MemberEnd() ? Action::Notify : action_of(s->value);
        } else {
            throw std::invalid_argument("'actions' must be an action, [first, second] or {\"first\",\"second\"}");
        }
    }
    return r;
}

}  // namespace vigil::file_threat
