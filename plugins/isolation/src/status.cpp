#include "status.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vigil/common/status_metrics.hpp>

#include <vigil/common/json_members.hpp>

#include "json_input.hpp"

namespace vigil::isolation {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// One member: strings, booleans, doubles and 64-bit integers.
template <class T>
void put(Writer& w, const char* k, const T& v) {
    w.Key(k);
    if constexpr (std::is_same_v<T, bool>)
        w.Bool(v);
    else if constexpr (std::is_same_v<T, double>)
        w.Double(v);
    else if constexpr (std::is_same_v<T, int64_t>)
        w.Int64(v);
    else if constexpr (std::is_same_v<T, uint64_t>)
        w.Uint64(v);
    else
        w.String(v.c_str(), rapidjson::SizeType(v.size()));
}

void put_exclusions(Writer& w, const std::vector<Exclusion>& list) {
    for (const auto& e : list) {
        const auto j = exclusion_to_json(e);
        w.RawValue(j.c_str(), j.size(), rapidjson::kObjectType);
    }
}

}  // namespace

struct StatusJson {
    // The part present only while isolated.
    static void isolation(Writer& w, const Controller& c, const IsolationState& st) {
        const int64_t now = c.env_.now_ms();
        put(w, "started_ms", st.started_ms);
        put(w, "expires_ms", st.expires_ms);
        put(w, "remaining_s", int64_t(std::max<int64_t>(0, (st.expires_ms - now + 999) / 1000)));
        put(w, "reason", st.reason);
        put(w, "origin", st.origin);
        put(w, "rules", uint64_t(c.rules_));
        put(w, "apply_ms", c.last_apply_ms_);
        put(w, "enforced_ms", c.last_enforced_ms_);  // command received -> rules in force, last isolation.on
        put(w, "connections_cut", uint64_t(c.connections_cut_));
        w.Key("exclusions");
        w.StartArray();
        put_exclusions(w, c.settings_.exclusions);
        put_exclusions(w, st.exclusions);
        w.EndArray();
        w.Key("central_nodes");
        common::write_string_lists(w, st.resolved);
        w.Key("agent_scope");  // whose sockets may use the central-node and proxy allowances
        w.StartObject();
        put(w, "cgroup", std::string("/") + c.agent_scope_.cgroup);
        put(w, "uid", uint64_t(c.agent_scope_.uid));
        if (!c.agent_scope_.warning.empty()) put(w, "warning", c.agent_scope_.warning);
        w.EndObject();
        if (st.dns_resolvers) {
            w.Key("dns_resolvers");
            common::write_string_array(w, *st.dns_resolvers);
        }
        put(w, "self_test", c.self_test_);
        if (!c.self_test_detail_.empty()) put(w, "self_test_detail", c.self_test_detail_);
    }

    static void last_change(Writer& w, const Controller& c) {
        w.Key("last_change");
        if (!c.last_change_) {
            w.Null();
            return;
        }
        w.StartObject();
        put(w, "action", c.last_change_->action);
        put(w, "ok", c.last_change_->ok);
        put(w, "reason", c.last_change_->reason);
        put(w, "origin", c.last_change_->origin);
        put(w, "time_ms", c.last_change_->time_ms);
        w.EndObject();
    }

    static void metrics(Writer& w, const Controller& c) {
        const auto& st = c.state_;
        const int64_t remaining = st ? std::max<int64_t>(0, (st->expires_ms - c.env_.now_ms()) / 1000) : 0;
        vigil::common::StatusMetrics m;  // rendered by vigild's metrics
        m.gauge("vigil_isolation_active", "1 while the host is network-isolated", {}, st ? 1 : 0)
            .gauge("vigil_isolation_remaining_seconds", "Seconds until the isolation expires (0 when not isolated)",
                   {}, double(remaining))
            .gauge("vigil_isolation_rules", "nftables rules in force", {}, st ? double(c.rules_) : 0);
        const std::string mj = m.json();
        w.Key("metrics");
        w.RawValue(mj.c_str(), mj.size(), rapidjson::kArrayType);
    }
};

std::string Controller::status() const {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    put(w, "isolated", state_.has_value());
    put(w, "table", state_ ? state_->table : settings_.table);
    if (state_) StatusJson::isolation(w, *this, *state_);
    StatusJson::last_change(w, *this);
    put(w, "allow_dns", settings_.allow_dns);
    put(w, "allow_dhcp", settings_.allow_dhcp);
    StatusJson::metrics(w, *this);
    w.EndObject();
    return sb.GetString();
}

}  // namespace vigil::isolation
