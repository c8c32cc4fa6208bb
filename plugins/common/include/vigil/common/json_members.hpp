// Writes the members of a JSON object with a RapidJSON writer by the C++ type of each
// value, so a record's serializer lists its fields once instead of one Key/value call pair
// per field:
//
//   w.StartObject();
//   write_members(w, "id", t.id, "timeout_s", t.timeout_s, "error", t.error);
//   w.EndObject();
//
// bool -> true/false, signed integers -> Int64, unsigned -> Uint64, floating -> Double,
// std::optional -> its value or null, a callable taking the writer -> whatever it writes
// (for pre-serialized JSON and nested objects), anything else -> a string (must convert to
// std::string_view). write_object_array writes an array of such objects, write_string_array and
// write_string_lists arrays of strings and maps of them. Header-only.
#pragma once

#include <rapidjson/rapidjson.h>

#include <optional>
#include <string_view>
#include <type_traits>

namespace vigil::common {

namespace json_detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace json_detail

template <class Writer, class T>
void write_json_value(Writer& w, const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        w.Bool(v);
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
        w.Int64(v);
    } else if constexpr (std::is_integral_v<T>) {
        w.Uint64(v);
    } else if constexpr (std::is_floating_point_v<T>) {
        w.Double(v);
    } else if constexpr (json_detail::is_optional<T>::value) {
        if (v) {
            write_json_value(w, *v);
        } else {
            w.Null();
        }
    } else if constexpr (std::is_invocable_v<const T&, Writer&>) {
        v(w);
    } else {
        std::string_view s(v);
        w.String(s.data(), rapidjson::SizeType(s.size()));
    }
}

// `"key": value` for each pair, in the order given, into the object `w` is in.
template <class Writer>
void write_members(Writer&) {}
template <class Writer, class T, class... Rest>
void write_members(Writer& w, const char* key, const T& value, const Rest&... rest) {
    w.Key(key);
    write_json_value(w, value);
    write_members(w, rest...);
}

// ["a", "b", ...] from a range of strings.
template <class Writer, class Range>
void write_string_array(Writer& w, const Range& items) {
    w.StartArray();
    for (const auto& item : items) write_json_value(w, item);
    w.EndArray();
}

// {"k": ["a", ...], ...} from a map of strings to ranges of strings.
template <class Writer, class Map>
void write_string_lists(Writer& w, const Map& lists) {
    w.StartObject();
    for (const auto& [k, items] : lists) {
        w.Key(k.data(), rapidjson::SizeType(k.size()));
        write_string_array(w, items);
    }
    w.EndObject();
}

// `"key": [{...}, ...]`: one object per element of `items`, its members written by
// `members(element)` (with write_members, usually).
template <class Writer, class Range, class Fn>
void write_object_array(Writer& w, const char* key, const Range& items, Fn&& members) {
    w.Key(key);
    w.StartArray();
    for (const auto& item : items) {
        w.StartObject();
        members(item);
        w.EndObject();
    }
    w.EndArray();
}

}  // namespace vigil::common
