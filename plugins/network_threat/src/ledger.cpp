#include "ledger.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <vigil/common/atomic_file.hpp>
#include <vigil/common/small_file.hpp>
#include <vigil/json_writer.hpp>

namespace vigil::network_threat {

namespace {

constexpr size_t kMaxFile = 32u << 20;
constexpr int kVersion = 1;

std::optional<Ban> parse_ban(const rapidjson::Value& v, std::string& why) {
    if (!v.IsObject()) return (why = "not an object", std::nullopt);
    const auto str = [&](const char* k) -> std::string {
        auto it = v.FindMember(k);
        return it != v.MemberEnd() && it->value.IsString()
                   ? std::string(it->value.GetString(), it->value.GetStringLength())
                   : std::string();
    };
    const auto i64 = [&](const char* k) -> std::optional<int64_t> {
        auto it = v.FindMember(k);
        if (it == v.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
        return it->value.GetInt64();
    };
    Ban b;
    auto prefix = common::parse_ip_prefix(str("prefix"), &why);
    if (!prefix) return std::nullopt;
    b.prefix = *prefix;
    if (!b.prefix.is_host() && !(b.prefix.address.is_v6() && b.prefix.length == 64))
        return (why = "prefix " + b.prefix.text() + " is neither an address nor an IPv6 /64", std::nullopt);
    auto since = i64("since_ms"), until = i64("until_ms");
    if (!since || !until || *until <= 0) return (why = "since_ms/until_ms missing", std::nullopt);
    b.since_ms = *since;
    b.until_ms = *until;
    auto attack = v.FindMember("attack");
    b.attack = attack != v.MemberEnd() && attack->value.IsBool() && attack->value.GetBool();
    b.reason = str("reason").substr(0, 256);
    b.origin = str("origin").substr(0, 256);
    auto tid = v.FindMember("threat_id");
    if (tid != v.MemberEnd() && tid->value.IsUint64()) b.threat_id = tid->value.GetUint64();
    return b;
}

}  // namespace

Ledger::Loaded Ledger::load() {
    Loaded out;
    bans_.clear();
    std::optional<std::string> text;
    try {
        text = common::read_small_file(path_, {.max_bytes = kMaxFile, .truncate = false, .nofollow = true});
    } catch (const std::exception& e) {
        out.warnings.push_back(std::string("ban ledger unreadable, starting empty: ") + e.what());
        return out;
    }
    if (!text) return out;
    rapidjson::Document d;
    d.Parse(text->c_str(), text->size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("bans") || !d["bans"].IsArray()) {
        out.warnings.push_back("ban ledger " + path_ + " is not a ledger file, starting empty");
        return out;
    }
    if (d.HasMember("mode") && d["mode"].IsString()) out.mode = d["mode"].GetString();
    size_t index = 0;
    for (const auto& v : d["bans"].GetArray()) {
        std::string why;
        if (auto b = parse_ban(v, why)) {
            put(std::move(*b));
        } else {
            out.warnings.push_back("ban ledger entry " + std::to_string(index) + " skipped: " + why);
        }
        ++index;
    }
    return out;
}

void Ledger::save(const std::string& mode) const {
    JsonWriter w;
    w.begin_object().field("version", kVersion).field("mode", mode).key("bans").begin_array();
    for (const auto& [key, b] : bans_) {
        w.begin_object()
            .field("prefix", b.prefix.text())
            .field("attack", b.attack)
            .field("since_ms", int64_t(b.since_ms))
            .field("until_ms", int64_t(b.until_ms))
            .field("reason", b.reason)
            .field("origin", b.origin)
            .field("threat_id", uint64_t(b.threat_id))
            .end_object();
    }
    w.end_array().end_object();
    common::write_file_atomic(path_, w.take(), {.mode = 0600, .durability = common::Durability::full});
}

const Ban* Ledger::find(const common::IpPrefix& p, bool attack) const {
    auto it = bans_.find({p, attack});
    return it == bans_.end() ? nullptr : &it->second;
}

void Ledger::put(Ban b) {
    Key k{b.prefix, b.attack};
    bans_.insert_or_assign(std::move(k), std::move(b));
}

bool Ledger::erase(const common::IpPrefix& p, bool attack) { return bans_.erase({p, attack}) > 0; }

std::vector<Ban> Ledger::take_expired(int64_t now_ms) {
    std::vector<Ban> out;
    for (auto it = bans_.begin(); it != bans_.end();) {
        if (it->second.until_ms <= now_ms) {
            out.push_back(std::move(it->second));
            it = bans_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<Ban> Ledger::take_all() {
    std::vector<Ban> out;
    for (auto& [k, b] : bans_) out.push_back(std::move(b));
    bans_.clear();
    return out;
}

size_t Ledger::listed() const {
    return size_t(
        std::count_if(bans_.begin(), bans_.end(), [](const auto& kv) { return !kv.second.attack; }));
}

}  // namespace vigil::network_threat
