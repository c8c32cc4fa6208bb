#include "prevention_list.hpp"

#include <rapidjson/document.h>

#include <stdexcept>
#include <system_error>

#include <vigil/common/atomic_file.hpp>
#include <vigil/common/small_file.hpp>

namespace vigil::file_threat {

namespace {
template <size_t N, class Set>
void read_list(const rapidjson::Value& doc, const char* key, Set& out) {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd()) return;
    if (it->value.IsString()) {  // one hash (vigilctl --sha256 H)
        auto h = from_hex<N>(std::string_view(it->value.GetString(), it->value.GetStringLength()));
        if (!h)
            throw std::invalid_argument(std::string(key) + " '" + std::string(it->value.GetString()).substr(0, 80) +
                                        "' is not a " + std::to_string(N * 2) + "-digit hex " + key + " hash");
        out.insert(*h);
        return;
    }
    if (!it->value.IsArray())
        throw std::invalid_argument(std::string("'") + key + "' must be an array of hex strings");
    size_t i = 0;
    for (const auto& v : it->value.GetArray()) {
        if (!v.IsString())
            throw std::invalid_argument(std::string(key) + "[" + std::to_string(i) + "] is not a string");
        std::string_view s(v.GetString(), v.GetStringLength());
        auto h = from_hex<N>(s);
        if (!h)
            throw std::invalid_argument(std::string(key) + "[" + std::to_string(i) + "] '" +
                                        std::string(s.substr(0, 80)) + "' is not a " + std::to_string(N * 2) +
                                        "-digit hex " + key + " hash");
        out.insert(*h);
        ++i;
    }
}
}  // namespace

PreventionList PreventionList::parse_json(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw std::invalid_argument("prevention list must be a JSON object {\"sha256\":[...],\"md5\":[...]}");
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
        std::string_view k(it->name.GetString(), it->name.GetStringLength());
        // vigilctl's generic form adds "args" (positional words): none are expected.
        if (k == "args" && it->value.IsArray() && it->value.Empty()) continue;
        if (k != "sha256" && k != "md5")
            throw std::invalid_argument("unknown key '" + std::string(k) + "' in prevention list (expected sha256, md5)");
    }
    PreventionList p;
    read_list<32>(doc, "sha256", p.sha256_);
    read_list<16>(doc, "md5", p.md5_);
    return p;
}

std::string PreventionList::to_json() const {
    std::string out = "{\"sha256\":[";
    bool first = true;
    for (const auto& h : sha256_) {
        out += (first ? "\"" : ",\"") + to_hex(h) + "\"";
        first = false;
    }
    out += "],\"md5\":[";
    first = true;
    for (const auto& h : md5_) {
        out += (first ? "\"" : ",\"") + to_hex(h) + "\"";
        first = false;
    }
    return out + "]}";
}

std::optional<std::string> PreventionList::match(const Digests& d) const {
    if (sha256_.count(d.sha256)) return "sha256:" + to_hex(d.sha256);
    if (md5_.count(d.md5)) return "md5:" + to_hex(d.md5);
    return std::nullopt;
}

void PreventionList::save(const std::string& path) const {
    try {
        vigil::common::write_file_atomic(path, to_json(), {.mode = 0600, .durability = vigil::common::Durability::full});
    } catch (const std::system_error& e) {
        throw std::runtime_error(std::string("cannot save prevention list: ") + e.what());
    }
}

PreventionList PreventionList::load(const std::string& path) {
    std::optional<std::string> text;
    try {
        text = vigil::common::read_small_file(path, {.max_bytes = 64u << 20, .nofollow = true});
    } catch (const std::exception& e) {
        throw std::runtime_error("saved prevention list " + path + " cannot be read: " + e.what());
    }
    if (!text) return {};
    try {
        return parse_json(*text);
    } catch (const std::exception& e) {
        throw std::runtime_error("saved prevention list " + path + " is corrupt: " + e.what());
    }
}

}  // namespace vigil::file_threat
