#include "contact.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>

namespace vigil::isolation {

namespace {

constexpr std::string_view kKeys[] = {"last_success_ns",   "last_success_unix", "last_success_ms",
                                      "last_success",      "last_success_time", "last_contact",
                                      "last_contact_unix", "last_contact_ms"};

std::optional<int64_t> scale_to_ms(double v) {
    if (!(v > 0)) return std::nullopt;
    if (v > 1e17) return int64_t(v / 1e6);  // ns
    if (v > 1e14) return int64_t(v / 1e3);  // us
    if (v > 1e11) return int64_t(v);        // ms
    return int64_t(v * 1000);               // s
}

std::optional<int64_t> time_of(const rapidjson::Value& v) {
    if (v.IsNumber()) return scale_to_ms(v.GetDouble());
    if (!v.IsString()) return std::nullopt;
    const std::string s = v.GetString();
    try {
        size_t used = 0;
        double d = std::stod(s, &used);
        if (used == s.size()) return scale_to_ms(d);
    } catch (...) {
    }
    std::tm tm{};
    int y, mo, d, h, mi;
    double sec = 0;
    if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6) return std::nullopt;
    if (s.back() != 'Z' && s.find("+00:00") == std::string::npos) return std::nullopt;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = 0;
    const time_t t = timegm(&tm);
    return int64_t(t) * 1000 + int64_t(sec * 1000);
}

// Newest contact field anywhere inside v.
void collect_times(const rapidjson::Value& v, std::optional<int64_t>& best) {
    if (v.IsObject()) {
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
            const std::string_view key(it->name.GetString(), it->name.GetStringLength());
            if (std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys)) {
                if (auto t = time_of(it->value); t && (!best || *t > *best)) best = t;
            }
            collect_times(it->value, best);
        }
    } else if (v.IsArray()) {
        for (const auto& e : v.GetArray()) collect_times(e, best);
    }
}

// The subtree describing `plugin`: a member named after it, or an object
// whose "name" is the plugin.
const rapidjson::Value* find_plugin(const rapidjson::Value& v, std::string_view plugin) {
    if (v.IsObject()) {
        if (auto n = v.FindMember("name");
            n != v.MemberEnd() && n->value.IsString() && std::string_view(n->value.GetString()) == plugin)
            return &v;
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
            if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == plugin &&
                it->value.IsObject())
                return &it->value;
        }
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
            if (auto* f = find_plugin(it->value, plugin)) return f;
    } else if (v.IsArray()) {
        for (const auto& e : v.GetArray())
            if (auto* f = find_plugin(e, plugin)) return f;
    }
    return nullptr;
}

}  // namespace

std::optional<int64_t> last_contact_ms(std::string_view json, std::string_view plugin) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError()) return std::nullopt;
    const rapidjson::Value* p = find_plugin(d, plugin);
    if (!p) return std::nullopt;
    std::optional<int64_t> best;
    collect_times(*p, best);
    return best;
}

}  // namespace vigil::isolation
