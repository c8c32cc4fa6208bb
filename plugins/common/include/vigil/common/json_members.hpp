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
// std::string_view). Header-only.
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

}  // namespace vigil::common
