#include "schema_defaults.hpp"

#include <rapidjson/pointer.h>

#include "json_util.hpp"

namespace vigil::core {

namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

// Follows local references ("#/definitions/x"); nullptr when one dangles.
const Value* deref(const Value& root, const Value* node) {
    for (int hops = 0; node && node->IsObject() && hops < 16; ++hops) {
        auto ref = node->FindMember("$ref");
        if (ref == node->MemberEnd() || !ref->value.IsString()) return node;
        const std::string text = ref->value.GetString();
        if (text.rfind("#", 0) != 0) return nullptr;
        rapidjson::Pointer p(text.substr(1).c_str());
        node = p.IsValid() ? p.Get(root) : nullptr;
    }
    return node;
}

const Value* properties_of(const Value& root, const Value& node) {
    const Value* s = deref(root, &node);
    if (!s || !s->IsObject()) return nullptr;
    auto it = s->FindMember("properties");
    return it != s->MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
}

// True when some property below `node` declares a default.
bool has_nested_defaults(const Value& root, const Value& node, int depth) {
    const Value* props = depth < 32 ? properties_of(root, node) : nullptr;
    if (!props) return false;
    for (const auto& p : props->GetObject())
        if (p.value.IsObject() && (p.value.HasMember("default") || has_nested_defaults(root, p.value, depth + 1)))
            return true;
    return false;
}

void fill(const Value& root, const Value& node, Value& target, Allocator& a, int depth);

void fill_items(const Value& root, const Value& node, Value& array, Allocator& a, int depth) {
    const Value* s = deref(root, &node);
    if (!s || !s->IsObject()) return;
    auto items = s->FindMember("items");
    if (items == s->MemberEnd() || !items->value.IsObject()) return;
    for (auto& element : array.GetArray()) fill(root, items->value, element, a, depth + 1);
}

void fill(const Value& root, const Value& node, Value& target, Allocator& a, int depth) {
    const Value* props = depth < 32 && target.IsObject() ? properties_of(root, node) : nullptr;
    if (!props) return;
    for (const auto& p : props->GetObject()) {
        if (!p.value.IsObject()) continue;
        auto existing = target.FindMember(p.name);
        if (existing == target.MemberEnd()) {
            auto def = p.value.FindMember("default");
            if (def != p.value.MemberEnd())
                target.AddMember(Value(p.name, a), Value(def->value, a), a);
            else if (has_nested_defaults(root, p.value, depth + 1))
                target.AddMember(Value(p.name, a), Value(rapidjson::kObjectType), a);
            else
                continue;
            existing = target.FindMember(p.name);
        }
        if (existing->value.IsObject()) fill(root, p.value, existing->value, a, depth + 1);
        if (existing->value.IsArray()) fill_items(root, p.value, existing->value, a, depth);
    }
}

}  // namespace

std::string apply_schema_defaults(const std::string& schema_json, const std::string& settings_json) {
    auto schema = parse_json(schema_json);
    auto settings = parse_json(settings_json);
    if (!schema || !settings || !schema->IsObject() || !settings->IsObject()) return settings_json;
    fill(*schema, *schema, *settings, settings->GetAllocator(), 0);
    return to_json(*settings);
}

}  // namespace vigil::core
