#include "state_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <vigil/common/atomic_file.hpp>
#include <vigil/common/json_members.hpp>

#include "json_input.hpp"

namespace vigil::isolation {

std::string state_to_json(const IsolationState& s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    w.Key("table");
    w.String(s.table.c_str());
    w.Key("started_ms");
    w.Int64(s.started_ms);
    w.Key("expires_ms");
    w.Int64(s.expires_ms);
    w.Key("reason");
    w.String(s.reason.c_str(), rapidjson::SizeType(s.reason.size()));
    w.Key("origin");
    w.String(s.origin.c_str(), rapidjson::SizeType(s.origin.size()));
    w.Key("exclusions");
    w.StartArray();
    for (const auto& e : s.exclusions) {
        const std::string j = exclusion_to_json(e);
        w.RawValue(j.c_str(), j.size(), rapidjson::kObjectType);
    }
    w.EndArray();
    w.Key("central_nodes");
    w.StartArray();
    for (const auto& ep : s.central_nodes) w.String(ep.text().c_str());
    w.EndArray();
    w.Key("resolved");
    common::write_string_lists(w, s.resolved);
    if (s.dns_resolvers) {
        w.Key("dns_resolvers");
        common::write_string_array(w, *s.dns_resolvers);
    }
    w.EndObject();
    return sb.GetString();
}

IsolationState state_from_json(std::string_view json) {
    auto d = parse_json_object(json, "isolation state");
    IsolationState s;
    const auto need = [&](const char* key) -> const rapidjson::Value& {
        auto it = d.FindMember(key);
        if (it == d.MemberEnd()) throw ValidationError(std::string("isolation state: missing ") + key);
        return it->value;
    };
    const auto& ver = need("version");
    if (!ver.IsInt() || ver.GetInt() != 1) throw ValidationError("isolation state: unsupported version");
    const auto& t = need("table");
    const auto& st = need("started_ms");
    const auto& ex = need("expires_ms");
    if (!t.IsString() || !st.IsInt64() || !ex.IsInt64())
        throw ValidationError("isolation state: bad field types");
    s.table = t.GetString();
    s.started_ms = st.GetInt64();
    s.expires_ms = ex.GetInt64();
    if (auto it = d.FindMember("reason"); it != d.MemberEnd() && it->value.IsString())
        s.reason = it->value.GetString();
    if (auto it = d.FindMember("origin"); it != d.MemberEnd() && it->value.IsString())
        s.origin = it->value.GetString();
    s.exclusions = parse_exclusion_list(need("exclusions"), "state.exclusions");
    s.central_nodes = parse_endpoint_list(need("central_nodes"), "state.central_nodes");
    if (auto it = d.FindMember("resolved"); it != d.MemberEnd() && it->value.IsObject()) {
        for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) {
            if (!m->value.IsArray()) continue;
            auto& list = s.resolved[m->name.GetString()];
            for (const auto& a : m->value.GetArray())
                if (a.IsString()) list.emplace_back(a.GetString());
        }
    }
    if (auto it = d.FindMember("dns_resolvers"); it != d.MemberEnd() && it->value.IsArray()) {
        s.dns_resolvers.emplace();
        for (const auto& a : it->value.GetArray()) {
            // Checked here so a tampered file cannot reach the ruleset text.
            if (!a.IsString()) throw ValidationError("isolation state: dns_resolvers must be addresses");
            s.dns_resolvers->push_back(parse_cidr(a.GetString(), "state.dns_resolvers").text());
        }
    }
    return s;
}

namespace {

std::runtime_error sys_error(const std::string& what, const std::string& path) {
    return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

void StateStore::save(const IsolationState& s, bool durable) const {
    common::write_file_atomic(path_, state_to_json(s),
                              {.mode = 0600,
                               .durability = durable ? common::Durability::full : common::Durability::process_crash});
}

void StateStore::make_durable() const {
    // Best effort, as it runs once the rules are in force: a failed fsync must not
    // roll the isolation back (the rename already made the content visible).
    try {
        common::fsync_file(path_);
    } catch (const std::system_error&) {
    }
    try {
        common::fsync_directory(common::parent_directory(path_));
    } catch (const std::system_error&) {
    }
}

std::optional<IsolationState> StateStore::load() const {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return std::nullopt;
        throw sys_error("cannot read", path_);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return state_from_json(ss.str());
}

void StateStore::clear() const {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) throw sys_error("cannot remove", path_);
}

}  // namespace vigil::isolation
