#include "json_util.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>

namespace vigil::core {

std::string to_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    v.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

std::string to_pretty_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
    w.SetIndent(' ', 2);
    v.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

std::optional<rapidjson::Document> parse_json(std::string_view text, std::string* error) {
    rapidjson::Document d;
    // RapidJSON reads a NUL byte as the end of input: "{}\0junk" would parse as "{}".
    if (auto nul = text.find('\0'); nul != std::string_view::npos) {
        if (error) *error = "offset " + std::to_string(nul) + ": NUL byte in JSON text";
        return std::nullopt;
    }
    d.Parse(text.data(), text.size());
    if (d.HasParseError()) {
        if (error)
            *error = "offset " + std::to_string(d.GetErrorOffset()) + ": " + rapidjson::GetParseError_En(d.GetParseError());
        return std::nullopt;
    }
    return d;
}

std::string json_string(const rapidjson::Value& obj, const char* key, std::string def) {
    if (!obj.IsObject()) return def;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return def;
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace vigil::core
