#include "host_status_summary.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string_view>

namespace vigil::kataedr {
namespace {

std::string to_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

// Sums every numeric member whose name mentions "drop" (recursively).
uint64_t sum_drops(const rapidjson::Value& v, int depth = 0) {
    if (depth > 6) return 0;
    uint64_t total = 0;
    if (v.IsObject()) {
        for (auto& m : v.GetObject()) {
            std::string_view name(m.name.GetString(), m.name.GetStringLength());
            if (name.find("drop") != std::string_view::npos && m.value.IsUint64())
                total += m.value.GetUint64();
            else if (m.value.IsObject())
                total += sum_drops(m.value, depth + 1);
        }
    }
    return total;
}

}  // namespace

HostStatusSummary summarize_host_status(const std::string& text) {
    HostStatusSummary out;
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    if (d.HasParseError() || !d.IsObject()) return out;

    rapidjson::Document plugins(rapidjson::kObjectType);
    auto& alloc = plugins.GetAllocator();
    auto add_plugin = [&](const std::string& name, const rapidjson::Value& p) {
        rapidjson::Value entry(rapidjson::kObjectType);
        for (const char* k : {"state", "version", "status", "message"}) {
            if (p.IsObject() && p.HasMember(k)) {
                rapidjson::Value copy(p[k], alloc);
                entry.AddMember(rapidjson::Value(k, alloc), copy, alloc);
            }
        }
        plugins.AddMember(rapidjson::Value(name.c_str(), alloc), entry, alloc);
        if (name == "isolation" && p.IsObject() && p.HasMember("status"))
            out.isolation_json = to_json(p["status"]);
        if (name == "behavior" && p.IsObject()) out.sensor_drops += sum_drops(p);
    };
    auto it = d.FindMember("plugins");
    if (it != d.MemberEnd()) {
        if (it->value.IsObject()) {
            for (auto& m : it->value.GetObject()) add_plugin(m.name.GetString(), m.value);
        } else if (it->value.IsArray()) {
            for (auto& p : it->value.GetArray())
                if (p.IsObject() && p.HasMember("name") && p["name"].IsString())
                    add_plugin(p["name"].GetString(), p);
        }
    }
    out.plugins_json = to_json(plugins);
    for (const char* k : {"bus", "counters", "metrics"}) {
        auto b = d.FindMember(k);
        if (b != d.MemberEnd()) out.bus_drops += sum_drops(b->value);
    }
    return out;
}

}  // namespace vigil::kataedr
