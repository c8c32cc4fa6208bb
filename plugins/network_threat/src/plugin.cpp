// Glue between the vigild host and the network_threat parts: settings,
// commands, timers, events and status. The logic lives in the
// network_threat_detect and network_threat_core libraries.
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <vigil/common/args.hpp>
#include <vigil/common/small_file.hpp>
#include <vigil/common/time.hpp>
#include <vigil/sdk.hpp>

#include "data_plane.hpp"
#include "host_facts.hpp"
#include "ledger.hpp"
#include "policy.hpp"
#include "sensor.hpp"
#include "settings.hpp"
#include "status.hpp"
#include "threat_report.hpp"

namespace vigil::network_threat {
namespace {

constexpr uint32_t kTickMs = 1000, kStatusMs = 5000, kRefreshMs = 60000;

class NetworkThreatPlugin : public vigil::Plugin {
public:
    explicit NetworkThreatPlugin(vigil::Host& host)
        : Plugin(host),
          settings_(parse_settings(host.config_json())),
          rules_(load_rules(settings_)),
          dp_(settings_.table),
          ledger_(host.state_dir() + "/bans.json"),
          policy_(settings_, dp_, ledger_),
          next_threat_id_(uint64_t(common::realtime_ns() / 1000)) {
        EngineConfig ec;
        ec.thresholds = settings_.thresholds;
        ec.max_sources = settings_.max_tracked_sources;
        ec.noise = local_port_range();
        sensor_ = std::make_unique<Sensor>(ec, rules_, uint16_t(settings_.nflog_group),
                                           [this](const Finding& f) { on_finding(f); });
        // A hung sensor thread would end detection silently: it is a watchdog
        // component (docs/operation.md), so vigild stops its systemd pings.
        sensor_->set_heartbeat(
            [this](int64_t mono_ms) { this->host().gauge_set("watchdog.sensor", mono_ms); });
        host.on_command("network_threat.list", [this](const vigil::Command& c, vigil::Reply r) {
            common::Args a(c.args_json);
            a.no_positionals("network_threat.list");
            a.finish();
            r.ok(policy_.list_json());
        });
        host.on_command("network_threat.block", [this](const vigil::Command& c, vigil::Reply r) {
            command(c, r, [&](std::string& result) {
                return policy_.block(c.args_json, origin(c), c.correlation_id, result);
            });
        });
        host.on_command("network_threat.unblock", [this](const vigil::Command& c, vigil::Reply r) {
            command(c, r, [&](std::string& result) {
                return policy_.unblock(c.args_json, origin(c), c.correlation_id, result);
            });
        });
    }

    ~NetworkThreatPlugin() override { stop(); }

    void start() override {
        policy_.set_protected(gather_protected(settings_, facts()));
        DataPlaneSpec base;
        base.table = settings_.table;
        base.nflog_group = uint16_t(settings_.nflog_group);
        base.drop_malformed = settings_.block;
        base.thresholds = settings_.thresholds;
        base.log_per_source_pps = settings_.log_rate_per_source;
        base.log_total_pps = settings_.log_rate_total;
        base.signature_tcp = rules_.capture_ports(6);
        base.signature_udp = rules_.capture_ports(17);
        std::vector<std::string> warnings;
        for (const auto& e : policy_.start(base, warnings)) publish(e);
        for (const auto& w : warnings) host().warn("network_threat: " + w);
        try {
            sensor_->start();
        } catch (const std::exception& e) {
            // Bans keep working (the kernel enforces them); detection does not.
            set_error(std::string("detection is off: ") + e.what());
            host().error("network_threat: " + error_);
        }
        timers_.push_back(host().timer(kTickMs, true, [this] {
            const auto events = policy_.tick();
            for (const auto& e : events) publish(e);
            if (!events.empty()) publish_status();
        }));
        timers_.push_back(host().timer(kStatusMs, true, [this] { publish_status(); }));
        timers_.push_back(host().timer(
            kRefreshMs, true, [this] { policy_.set_protected(gather_protected(settings_, facts())); }));
        publish_status();
    }

    // The table and its bans stay in the kernel: stopping the agent lifts nothing.
    void stop() override {
        for (uint64_t t : timers_) host().cancel_timer(t);
        timers_.clear();
        if (sensor_) sensor_->stop();
    }

private:
    static std::string origin(const vigil::Command& c) {
        return c.origin.empty() ? std::string("unknown") : std::string(c.origin);
    }

    template <class F>
    void command(const vigil::Command&, vigil::Reply& r, F&& f) {
        try {
            std::string result;
            publish(f(result));
            r.ok(result);
            status_soon();
        } catch (const CommandError& e) {
            r.error(VIGIL_EINVAL, e.what());
        } catch (const common::ArgError& e) {
            r.error(VIGIL_EINVAL, e.what());
        } catch (const std::exception& e) {
            r.error(VIGIL_EFAILED, e.what());
        }
    }

    static NoiseFilter local_port_range() {
        NoiseFilter n;
        const std::string t = common::read_file_or_empty("/proc/sys/net/ipv4/ip_local_port_range");
        unsigned lo = 0, hi = 0;
        if (std::sscanf(t.c_str(), "%u %u", &lo, &hi) == 2 && lo > 0 && lo <= hi && hi <= 65535) {
            n.ephemeral_low = uint16_t(lo);
            n.ephemeral_high = uint16_t(hi);
        }
        return n;
    }

    HostFactSources facts() {
        HostFactSources f;
        f.connector = connector_endpoints(host().host_status(), settings_.connector_plugin);
        f.proxy = agent_proxy(host().agent_config_json());
        return f;
    }

    void on_finding(const Finding& f) {
        const uint64_t id = next_threat_id_.fetch_add(1);
        const Decision d = policy_.on_finding(f, id);
        publish_threat(f, d, id);
        for (const auto& e : d.events) publish(e);
        {
            std::lock_guard<std::mutex> g(mu_);
            ++by_class_[std::string(class_info(f.cls).name)];
        }
        status_soon();
    }

    // A detection or a ban shows in the status at once (on the executor,
    // at most one refresh pending), not only at the next 5-second refresh.
    void status_soon() {
        if (status_pending_.exchange(true)) return;
        host().post([this] {
            status_pending_ = false;
            publish_status();
        });
    }

    void publish_threat(const Finding& f, const Decision& d, uint64_t id) {
        const auto& info = class_info(f.cls);
        vigil::PayloadBuilder<vigil_threat_event> b;
        b.head().severity = info.severity;
        b.head().threat_id = id;
        b.set(&vigil_threat_event::detector, "network_threat");
        b.set(&vigil_threat_event::rule_id, f.rule_id.empty() ? std::string(info.name) : f.rule_id);
        b.set(&vigil_threat_event::title, threat_title(f));
        b.set(&vigil_threat_event::description, threat_description(f, d));
        b.set(&vigil_threat_event::tags, threat_tags(f.cls));
        b.set(&vigil_threat_event::author, "vigil network_threat");
        b.set(&vigil_threat_event::object_type, f.evidence.source.empty() ? "host" : "ip");
        b.set(&vigil_threat_event::object,
              f.evidence.source.empty() ? f.evidence.destination.text() : f.evidence.source.text());
        b.set(&vigil_threat_event::details_json, evidence_json(f, d));
        host().publish(VIGIL_TYPE_THREAT, b);
        host().counter_add("findings");
    }

    void publish(const ActionEvent& e) {
        if (e.action.empty()) return;
        vigil::PayloadBuilder<vigil_action_result> b;
        b.head().status = e.ok ? VIGIL_OK : VIGIL_EFAILED;
        b.head().threat_id = e.threat_id;
        b.head().correlation_id = e.correlation_id;
        b.set(&vigil_action_result::action, e.action);
        b.set(&vigil_action_result::object, e.object);
        b.set(&vigil_action_result::details_json, e.details_json);
        b.set(&vigil_action_result::error, e.error);
        b.set(&vigil_action_result::origin, e.origin);
        host().publish(VIGIL_TYPE_ACTION_RESULT, b, e.correlation_id);
        host().counter_add("actions_" + e.action);
    }

    void set_error(std::string e) {
        std::lock_guard<std::mutex> g(mu_);
        error_ = std::move(e);
    }

    void publish_status() {
        StatusInput in;
        in.settings = &settings_;
        in.sensor = &sensor_->counters();
        in.policy = policy_.stats();
        in.bans = policy_.listed();
        // Reading the counter costs libnftables a full cache (~2 ms): once a minute is enough.
        if (const int64_t now = common::realtime_ms(); now - banned_read_ms_ >= int64_t(kRefreshMs)) {
            banned_read_ms_ = now;
            banned_packets_ = dp_.banned_packets();
        }
        in.banned_packets = banned_packets_;
        in.rules = rules_.rules().size();
        in.protected_entries = policy_.protected_entries();
        in.ban_latency = &policy_.ban_latency();
        {
            std::lock_guard<std::mutex> g(mu_);
            in.findings_by_class = by_class_;
            in.error = error_;
        }
        host().set_status(status_json(in));
        host().gauge_set("bans", int64_t(in.bans));
        host().gauge_set("tracked_sources", int64_t(in.sensor->tracked_sources.load()));
    }

    Settings settings_;
    RuleSet rules_;
    DataPlane dp_;
    Ledger ledger_;
    Policy policy_;
    std::unique_ptr<Sensor> sensor_;
    std::atomic<uint64_t> next_threat_id_;
    int64_t banned_read_ms_ = 0;
    uint64_t banned_packets_ = 0;
    std::atomic<bool> status_pending_{false};
    std::vector<uint64_t> timers_;
    std::mutex mu_;
    std::map<std::string, uint64_t> by_class_;
    std::string error_;
};

}  // namespace
}  // namespace vigil::network_threat

VIGIL_PLUGIN(
    vigil::network_threat::NetworkThreatPlugin, "network_threat", "1.0.0",
    "Detects port scans, floods and network attacks against this host and bans the attacker in nftables",
    nullptr, vigil::network_threat::kSettingsSchema)
