// Small RapidJSON helpers shared by the host's components.
#pragma once
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <cstdint>
#include <string_view>

namespace vigil::core {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::string to_json(const rapidjson::Value& v);
std::string to_pretty_json(const rapidjson::Value& v);
// Parses text; on error returns nullopt and sets `error` ("offset N: reason").
std::optional<rapidjson::Document> parse_json(std::string_view text, std::string* error = nullptr);

inline void write_str(JsonWriter& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }
inline void write_kv(JsonWriter& w, const char* k, std::string_view v) {
    w.Key(k);
    write_str(w, v);
}
// Numbers and flags under a key (unsigned, signed, boolean).
inline void write_uint(JsonWriter& w, const char* k, uint64_t v) {
    w.Key(k);
    w.Uint64(v);
}
inline void write_int(JsonWriter& w, const char* k, int64_t v) {
    w.Key(k);
    w.Int64(v);
}
inline void write_bool(JsonWriter& w, const char* k, bool v) {
    w.Key(k);
    w.Bool(v);
}

// Reads a string member, or `def` when absent or not a string.
std::string json_string(const rapidjson::Value& obj, const char* key, std::string def = {});

}  // namespace vigil::core
