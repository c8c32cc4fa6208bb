// Vigil C++ SDK: one table of {value, name} pairs per enum serves both
// directions (value -> name for JSON and logs, name -> value for parsing), so a
// name is written once instead of in a switch and again in a parsing loop.
// Header-only, C++17.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace vigil {

template <class E>
struct EnumName {
    E value;
    const char* name;
};

// The name `table` gives `value`, or `fallback` when the table does not list it
// (a value from a newer peer, a cast integer).
template <class E, std::size_t N>
constexpr const char* enum_name(const EnumName<E> (&table)[N], E value, const char* fallback) {
    for (const auto& entry : table)
        if (entry.value == value) return entry.name;
    return fallback;
}

// The value whose name is exactly `name` (case-sensitive), nullopt when none is.
template <class E, std::size_t N>
constexpr std::optional<E> enum_from_name(const EnumName<E> (&table)[N], std::string_view name) {
    for (const auto& entry : table)
        if (name == entry.name) return entry.value;
    return std::nullopt;
}

}  // namespace vigil
