#include "schema_check.hpp"

#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>

#include "json_util.hpp"

namespace vigil::core {

namespace {

std::string type_of(const rapidjson::Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsBool()) return "boolean";
    if (v.IsInt64() || v.IsUint64()) return "integer";
    if (v.IsNumber()) return "number";
    if (v.IsString()) return "string";
    if (v.IsArray()) return "array";
    return "object";
}

std::string short_json(const rapidjson::Value& v) {
    std::string s = to_json(v);
    return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

const rapidjson::Value* resolve(const rapidjson::Value& root, const std::string& ptr) {
    rapidjson::Pointer p(ptr.c_str());
    if (!p.IsValid()) return nullptr;
    return p.Get(root);
}

}  // namespace

std::string pointer_to_key(const std::string& pointer) {
    std::string out;
    size_t i = 0;
    while (i < pointer.size()) {
        size_t next = pointer.find('/', i + 1);
        std::string tok = pointer.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
        bool numeric = !tok.empty() && tok.find_first_not_of("0123456789") == std::string::npos;
        if (numeric) out += "[" + tok + "]";
        else out += (out.empty() ? "" : ".") + tok;
        if (next == std::string::npos) break;
        i = next;
    }
    return out;
}

std::optional<std::string> check_schema_text(const std::string& schema_json) {
    std::string err;
    auto d = parse_json(schema_json, &err);
    if (!d) return "plugin's JSON Schema is not valid JSON (" + err + ")";
    if (!d->IsObject()) return "plugin's JSON Schema must be an object";
    return std::nullopt;
}

std::optional<SchemaViolation> validate_against_schema(const std::string& schema_json,
                                                       const std::string& settings_json) {
    auto sd = parse_json(schema_json);
    if (!sd) return SchemaViolation{"", "plugin's JSON Schema is not valid JSON"};
    auto doc = parse_json(settings_json);
    if (!doc) return SchemaViolation{"", "settings are not valid JSON"};
    rapidjson::SchemaDocument schema(*sd);
    rapidjson::SchemaValidator validator(schema);
    if (doc->Accept(validator)) return std::nullopt;

    rapidjson::StringBuffer doc_ptr, schema_ptr;
    validator.GetInvalidDocumentPointer().StringifyUriFragment(doc_ptr);
    validator.GetInvalidSchemaPointer().StringifyUriFragment(schema_ptr);
    // Uri fragments start with '#'; convert to plain pointers (RapidJSON
    // percent-encodes, which we undo for the common characters only).
    auto plain = [](std::string s) {
        if (!s.empty() && s[0] == '#') s.erase(0, 1);
        return s;
    };
    std::string dptr = plain(doc_ptr.GetString());
    std::string sptr = plain(schema_ptr.GetString());
    std::string kw = validator.GetInvalidSchemaKeyword();

    const rapidjson::Value* value = resolve(*doc, dptr);
    const rapidjson::Value* rule = resolve(*sd, sptr);
    std::string reason;
    if (kw == "type" && rule && rule->HasMember("type") && value) {
        reason = "expected " + short_json((*rule)["type"]) + ", got " + type_of(*value);
    } else if (kw == "required" && rule && rule->HasMember("required") && value && value->IsObject()) {
        std::string missing;
        for (const auto& r : (*rule)["required"].GetArray())
            if (r.IsString() && !value->HasMember(r.GetString()))
                missing += (missing.empty() ? "" : ", ") + std::string(r.GetString());
        reason = "missing required setting(s): " + missing;
    } else if (kw == "additionalProperties" && rule && value && !value->IsObject()) {
        // RapidJSON points at the unexpected member itself.
        reason = "unknown setting";
        if (rule->HasMember("properties") && (*rule)["properties"].IsObject()) {
            std::string known;
            for (const auto& m : (*rule)["properties"].GetObject())
                known += (known.empty() ? "" : ", ") + std::string(m.name.GetString());
            reason += " (known: " + known + ")";
        }
    } else if (kw == "additionalProperties" && rule && value && value->IsObject()) {
        std::string unknown;
        const rapidjson::Value* props = rule->HasMember("properties") ? &(*rule)["properties"] : nullptr;
        for (const auto& m : value->GetObject())
            if (!props || !props->HasMember(m.name))
                unknown += (unknown.empty() ? "" : ", ") + std::string(m.name.GetString());
        reason = "unknown setting(s): " + unknown;
        if (props) {
            std::string known;
            for (const auto& m : props->GetObject()) known += (known.empty() ? "" : ", ") + std::string(m.name.GetString());
            reason += " (known: " + known + ")";
        }
    } else if (kw == "enum" && rule && rule->HasMember("enum") && value) {
        reason = short_json(*value) + " is not one of " + short_json((*rule)["enum"]);
    } else if ((kw == "minimum" || kw == "maximum" || kw == "exclusiveMinimum" || kw == "exclusiveMaximum") && rule &&
               value) {
        std::string bound = rule->HasMember(kw.c_str()) ? short_json((*rule)[kw.c_str()]) : "?";
        if (kw == "exclusiveMinimum" || kw == "exclusiveMaximum") {
            const char* b = kw == "exclusiveMinimum" ? "minimum" : "maximum";
            bound = rule->HasMember(b) ? short_json((*rule)[b]) : bound;
        }
        reason = short_json(*value) + (kw.find("inimum") != std::string::npos ? " is below the minimum " : " is above the maximum ") + bound;
    } else if ((kw == "minLength" || kw == "maxLength" || kw == "minItems" || kw == "maxItems") && rule &&
               rule->HasMember(kw.c_str())) {
        reason = "violates " + kw + " " + short_json((*rule)[kw.c_str()]);
    } else if (kw == "pattern" && rule && rule->HasMember("pattern") && value) {
        reason = short_json(*value) + " does not match the pattern " + short_json((*rule)["pattern"]);
    } else {
        reason = "violates schema rule '" + kw + "'" + (value ? " (value " + short_json(*value) + ")" : "");
    }
    return SchemaViolation{dptr, reason};
}

}  // namespace vigil::core
