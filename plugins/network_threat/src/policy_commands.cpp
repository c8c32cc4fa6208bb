// The operator's side of the ban list: network_threat.list, .block, .unblock
// (from vigilctl or as central-node tasks).
#include <map>
#include <vigil/common/args.hpp>
#include <vigil/json_writer.hpp>

#include "policy.hpp"

namespace vigil::network_threat {

namespace {

constexpr int64_t kMinuteMs = 60000;

// "ip" as a field or vigilctl's first positional word.
common::IpAddress address_arg(common::Args& a, std::string_view command) {
    std::optional<std::string> ip = a.string("ip", 64);
    if (!ip && a.positional_count() == 1)
        ip = a.positional_strings(1, 64).at(0);
    else
        a.no_positionals(command, " (give the address as \"ip\")");
    if (!ip)
        throw CommandError("ip: missing (the address to " +
                           std::string(command.substr(command.find('.') + 1)) + ")");
    auto parsed = common::parse_ip_address(*ip);
    if (!parsed) throw CommandError("ip: '" + *ip + "' is not an IPv4 or IPv6 address");
    return parsed->unmapped();
}

void write_ban(JsonWriter& w, const Ban& b, int64_t now, std::optional<int64_t> kernel_ms) {
    w.begin_object()
        .field("ip", b.prefix.text())
        .field("since_ms", int64_t(b.since_ms))
        .field("until_ms", int64_t(b.until_ms))
        .field("remaining_s", int64_t(std::max<int64_t>(0, (b.until_ms - now + 999) / 1000)))
        .field("reason", b.reason)
        .field("origin", b.origin)
        .field("threat_id", uint64_t(b.threat_id))
        .field("in_kernel", kernel_ms.has_value());
    if (kernel_ms) w.field("kernel_remaining_ms", int64_t(*kernel_ms));
    w.end_object();
}

}  // namespace

std::string Policy::list_json() {
    std::lock_guard<std::mutex> g(mu_);
    const int64_t now = now_();
    // The kernel is the truth for what is enforced; the ledger says why.
    std::map<std::pair<common::IpPrefix, bool>, int64_t> kernel;
    for (const auto& e : dp_.list()) kernel[{e.prefix, e.set.rfind("attack", 0) == 0}] = e.expires_ms;
    JsonWriter w;
    w.begin_object().field("mode", settings_.mode()).key("bans").begin_array();
    size_t count = 0;
    for (const auto& [key, b] : ledger_.bans()) {
        if (b.attack) continue;
        auto k = kernel.find(key);
        write_ban(w, b, now, k == kernel.end() ? std::nullopt : std::optional<int64_t>(k->second));
        if (k != kernel.end()) kernel.erase(k);
        ++count;
    }
    for (const auto& [key, ms] : kernel) {
        if (key.second) continue;
        Ban outside{key.first, false, 0, now + ms, "added outside vigil", "unknown", 0};
        write_ban(w, outside, now, ms);
        ++count;
    }
    w.end_array().field("count", uint64_t(count));
    w.key("attack_traffic_dropped").begin_array();
    for (const auto& [key, b] : ledger_.bans())
        if (b.attack) w.str(b.prefix.text());
    w.end_array().end_object();
    return w.take();
}

ActionEvent Policy::block(std::string_view args_json, const std::string& origin, uint64_t correlation_id,
                          std::string& result) {
    common::Args a(args_json);
    const auto ip = address_arg(a, "network_threat.block");
    const uint64_t minutes = a.uinteger("minutes", 32768).value_or(0);
    const std::string reason = a.string("reason", 256).value_or("manual");
    a.finish();
    std::lock_guard<std::mutex> g(mu_);
    const uint64_t m = minutes ? minutes : settings_.block_duration_minutes;
    if (m < 1) throw CommandError("minutes: must be 1-32768");
    if (auto* p = excluded(ip))
        throw CommandError("ip: " + ip.text() + " is in exclude_ips (" + p->text() + ")");
    if (auto* p = never_.match(ip)) throw CommandError("ip: " + ip.text() + " is never blocked: " + p->why);
    const int64_t now = now_();
    Ban b{ban_prefix(ip), false, now, now + int64_t(m) * kMinuteMs, reason, origin, 0};
    ActionEvent e = add_ban_locked(b, "");
    e.correlation_id = correlation_id;
    if (!e.ok) throw std::runtime_error("blocking " + b.prefix.text() + " failed: " + e.error);
    JsonWriter w;
    w.begin_object()
        .field("blocked", b.prefix.text())
        .field("minutes", uint64_t(m))
        .field("until_ms", int64_t(b.until_ms))
        .end_object();
    result = w.take();
    return e;
}

ActionEvent Policy::unblock(std::string_view args_json, const std::string& origin, uint64_t correlation_id,
                            std::string& result) {
    common::Args a(args_json);
    const auto ip = address_arg(a, "network_threat.unblock");
    a.finish();
    std::lock_guard<std::mutex> g(mu_);
    std::optional<Ban> removed;
    for (const bool attack : {false, true})
        for (const auto& p : {common::IpPrefix::of(ip, ip.bits()), common::IpPrefix::of(ip, 64)}) {
            if (!ip.is_v6() && p.length == 64) continue;
            const Ban* b = ledger_.find(p, attack);
            if (!b) continue;
            if (!removed) removed = *b;
            dp_.remove(p, attack);
            ledger_.erase(p, attack);
        }
    // Also an element someone added by hand: the kernel is what enforces.
    dp_.remove(common::IpPrefix::of(ip, ip.bits()), false);
    JsonWriter w;
    w.begin_object().field("unblocked", ip.text()).field("was_blocked", removed.has_value()).end_object();
    result = w.take();
    if (!removed) return ActionEvent{};
    save_locked();
    ++stats_.unbans;
    return unban_event(*removed, "unblocked by " + origin, origin, correlation_id);
}

}  // namespace vigil::network_threat
