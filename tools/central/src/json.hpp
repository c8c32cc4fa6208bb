#pragma once
// Small RapidJSON helpers shared by the server, the storage and the CLI.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vigil/common/json_members.hpp>

namespace vigil::central::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Serializes any value compactly.
std::string to_string(const rapidjson::Value& value);

// Parses `text`; returns the error (with offset) on failure.
std::optional<std::string> parse(rapidjson::Document& doc, std::string_view text);

// True when `value` nests deeper than `max_depth` (checked before recursive walks of
// untrusted input; parsing itself is iterative).
bool deeper_than(const rapidjson::Value& value, int max_depth);

// Writes `raw` (already valid JSON) as a value, or null when empty.
void write_raw(Writer& w, std::string_view raw);
void write_string(Writer& w, std::string_view s);

// A member value that is already JSON text, written verbatim (null when empty).
struct Raw {
    std::string_view json;
    void operator()(Writer& w) const { write_raw(w, json); }
};

// write_members(w, "id", t.id, "args", json::Raw{t.args_json}, ...): see json_members.hpp.
using common::write_members;

// One object of `members` (as for write_members) as compact JSON text.
template <class... Members>
std::string object_text(const Members&... members) {
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    write_members(w, members...);
    w.EndObject();
    return std::string(b.GetString(), b.GetSize());
}

// Optional member lookups that tolerate absent members and wrong types.
const rapidjson::Value* member(const rapidjson::Value& obj, const char* name);
std::string string_or(const rapidjson::Value& obj, const char* name, std::string fallback = {});

// Quotes a string as a JSON string literal (used for error messages and small replies).
std::string quote(std::string_view s);

// `{"error":"reason"}`
std::string error_body(std::string_view reason);

// True when `json` is exactly what RapidJSON's compact Writer would produce for the value it
// holds, as far as storage and text search care: no whitespace outside strings and only the
// escapes the Writer itself uses (\" \\ \b \f \n \r \t \u00XX). Such text can be stored
// verbatim (the central node keeps events as the agent sent them); anything else
// (pretty-printed, \/ or \uXXXX escapes) is re-serialized.
bool is_compact_canonical(std::string_view json);

}  // namespace vigil::central::json
