// Vigil C++ SDK: mapping a plugin's settings into its typed struct.
//
// The host validates the settings against the plugin's JSON Schema and fills
// every `default` the schema declares before create() and reconfigure(), so
// a plugin only maps fields; bounds and fallbacks live in the schema alone:
//
//   Settings parse_settings(std::string_view json) {
//       vigil::SettingsReader r(json);
//       Settings s;
//       s.table = r.str("table");
//       s.interval_ms = r.u64("check_interval_ms");
//       s.mounts = r.strings("on_access.mounts");   // dotted path into objects
//       return s;                                   // cross-field checks below
//   }
//
// A key the schema does not default and the operator left out is absent:
// read it with the opt_* accessors, or map it with into(), which leaves the
// field's initializer (equal to the schema's default; plugins test that)
// when the key is absent, so settings that did not pass through a host
// (benchmarks, fuzz targets) still map:
//
//   r.into("check_interval_ms", s.check_interval_ms);   // any integer type
// A required accessor on an absent key or a
// wrong type throws SettingsError naming the key — with a validated and
// defaulted document that means the schema and the code disagree.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "json_reader.hpp"

namespace vigil {

class SettingsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SettingsReader {
public:
    explicit SettingsReader(std::string_view json) {
        try {
            root_ = json::parse(json.empty() ? std::string_view("{}") : json);
        } catch (const json::ParseError& e) {
            throw SettingsError(std::string("settings are not valid JSON: ") + e.what());
        }
        if (!root_.is_object()) throw SettingsError("settings must be a JSON object");
    }

    bool has(std::string_view path) const { return find(path) != nullptr; }
    // The value at a dotted path ("on_access.mounts"), or nullptr.
    const json::Value* find(std::string_view path) const { return lookup(path, false); }

    std::string str(std::string_view path) const { return need(path, opt_str(path)); }
    int64_t i64(std::string_view path) const { return need(path, opt_i64(path)); }
    uint64_t u64(std::string_view path) const { return need(path, opt_u64(path)); }
    double number(std::string_view path) const { return need(path, opt_number(path)); }
    bool boolean(std::string_view path) const { return need(path, opt_boolean(path)); }
    std::vector<std::string> strings(std::string_view path) const { return need(path, opt_strings(path)); }

    std::optional<std::string> opt_str(std::string_view path) const {
        return scalar<std::string, &json::Value::is_string, &json::Value::as_string>(path, "a string");
    }
    std::optional<int64_t> opt_i64(std::string_view path) const {
        return scalar<int64_t, &json::Value::is_int64, &json::Value::as_int64>(path, "an integer");
    }
    std::optional<uint64_t> opt_u64(std::string_view path) const {
        return scalar<uint64_t, &json::Value::is_uint64, &json::Value::as_uint64>(path,
                                                                                  "a non-negative integer");
    }
    std::optional<double> opt_number(std::string_view path) const {
        return scalar<double, &json::Value::is_number, &json::Value::as_double>(path, "a number");
    }
    std::optional<bool> opt_boolean(std::string_view path) const {
        return scalar<bool, &json::Value::is_bool, &json::Value::as_bool>(path, "true or false");
    }
    // An array of strings (a lone string counts as a list of one).
    std::optional<std::vector<std::string>> opt_strings(std::string_view path) const {
        using List = std::vector<std::string>;
        return typed<List>(path, "a list of strings", [](const json::Value& v) -> std::optional<List> {
            if (v.is_string()) return List{v.as_string()};
            if (!v.is_array()) return std::nullopt;
            List out;
            for (const auto& item : v.items()) {
                if (!item.is_string()) return std::nullopt;
                out.push_back(item.as_string());
            }
            return out;
        });
    }

    // Maps the key into `field` when present; an absent key leaves the field.
    void into(std::string_view path, bool& field) const {
        if (auto v = opt_boolean(path)) field = *v;
    }
    void into(std::string_view path, double& field) const {
        if (auto v = opt_number(path)) field = *v;
    }
    void into(std::string_view path, std::string& field) const {
        if (auto v = opt_str(path)) field = std::move(*v);
    }
    void into(std::string_view path, std::vector<std::string>& field) const {
        if (auto v = opt_strings(path)) field = std::move(*v);
    }
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    void into(std::string_view path, T& field) const {
        if constexpr (std::is_signed_v<T>) {
            if (auto v = opt_i64(path)) field = fit<T>(path, *v);
        } else {
            if (auto v = opt_u64(path)) field = fit<T>(path, *v);
        }
    }

    const json::Value& root() const { return root_; }

private:
    // Walks a dotted path. With `strict`, a part that is present but not an
    // object throws SettingsError naming it: {"on_access":"off"} is a
    // mistake, not "no on_access settings".
    const json::Value* lookup(std::string_view path, bool strict) const {
        const json::Value* v = &root_;
        const std::string_view full = path;
        for (;;) {
            const size_t dot = path.find('.');
            v = v->is_object() ? v->find(path.substr(0, dot)) : nullptr;
            if (!v || dot == std::string_view::npos) return v;
            if (strict && !v->is_object())
                throw SettingsError("setting \"" + std::string(full.substr(0, full.size() - path.size() + dot)) +
                                    "\" must be an object");
            path.remove_prefix(dot + 1);
        }
    }
    template <class T, class F>
    std::optional<T> typed(std::string_view path, const char* expected, F convert) const {
        const json::Value* v = lookup(path, true);
        if (!v) return std::nullopt;
        auto out = convert(*v);
        if (!out) throw SettingsError("setting \"" + std::string(path) + "\" must be " + expected);
        return out;
    }
    // A value of one JSON type read with one accessor: `Is` says whether the
    // value has the type, `As` reads it.
    template <class T, bool (json::Value::*Is)() const, auto As>
    std::optional<T> scalar(std::string_view path, const char* expected) const {
        return typed<T>(path, expected, [](const json::Value& v) -> std::optional<T> {
            if (!(v.*Is)()) return std::nullopt;
            return (v.*As)();
        });
    }
    template <class T, class V>
    static T fit(std::string_view path, V v) {
        if (v < V(std::numeric_limits<T>::min()) || v > V(std::numeric_limits<T>::max()))
            throw SettingsError("setting \"" + std::string(path) + "\" is out of range");
        return T(v);
    }
    template <class T>
    static T need(std::string_view path, std::optional<T> v) {
        if (!v) throw SettingsError("setting \"" + std::string(path) + "\" is missing (no default in the schema)");
        return std::move(*v);
    }

    json::Value root_;
};

}  // namespace vigil
