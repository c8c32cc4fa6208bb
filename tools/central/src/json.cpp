#include "json.hpp"

#include <rapidjson/error/en.h>

#include <cctype>

namespace vigil::central::json {

std::string to_string(const rapidjson::Value& value) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    value.Accept(w);
    return {buf.GetString(), buf.GetSize()};
}

std::optional<std::string> parse(rapidjson::Document& doc, std::string_view text) {
    // The default flags reject trailing garbage after the root value, which we want; RapidJSON
    // reads a NUL byte as the end of input, so "{}\0junk" would slip past that check.
    if (auto nul = text.find('\0'); nul != std::string_view::npos)
        return "malformed JSON at offset " + std::to_string(nul) + ": NUL byte";
    doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (doc.HasParseError()) {
        return std::string("malformed JSON at offset ") + std::to_string(doc.GetErrorOffset()) + ": " +
               rapidjson::GetParseError_En(doc.GetParseError());
    }
    return std::nullopt;
}

bool deeper_than(const rapidjson::Value& value, int max_depth) {
    if (max_depth < 0) return true;
    if (value.IsObject()) {
        for (const auto& m : value.GetObject())
            if (deeper_than(m.value, max_depth - 1)) return true;
    } else if (value.IsArray()) {
        for (const auto& v : value.GetArray())
            if (deeper_than(v, max_depth - 1)) return true;
    }
    return false;
}

void write_raw(Writer& w, std::string_view raw) {
    if (raw.empty()) {
        w.Null();
    } else {
        w.RawValue(raw.data(), raw.size(), rapidjson::kObjectType);
    }
}

void write_string(Writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
    if (!obj.IsObject()) return nullptr;
    auto it = obj.FindMember(name);
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::string string_or(const rapidjson::Value& obj, const char* name, std::string fallback) {
    const auto* v = member(obj, name);
    if (v && v->IsString()) return {v->GetString(), v->GetStringLength()};
    return fallback;
}

std::string quote(std::string_view s) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    write_string(w, s);
    return {buf.GetString(), buf.GetSize()};
}

std::string error_body(std::string_view reason) { return "{\"error\":" + quote(reason) + "}"; }

bool is_compact_canonical(std::string_view json) {
    bool in_string = false;
    for (size_t i = 0; i < json.size(); ++i) {
        char c = json[i];
        if (!in_string) {
            if (c == '"') in_string = true;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return false;
            continue;
        }
        if (c == '"') {
            in_string = false;
        } else if (c == '\\') {
            if (++i >= json.size()) return false;
            switch (json[i]) {
                case '"':
                case '\\':
                case 'b':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                    break;
                case 'u':  // the Writer escapes only control characters this way
                    if (i + 4 >= json.size() || json[i + 1] != '0' || json[i + 2] != '0' ||
                        (json[i + 3] != '0' && json[i + 3] != '1') ||
                        !std::isxdigit(static_cast<unsigned char>(json[i + 4])))
                        return false;
                    i += 4;
                    break;
                default:
                    return false;
            }
        }
    }
    return !in_string;
}

}  // namespace vigil::central::json
