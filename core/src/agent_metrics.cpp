#include "agent_metrics.hpp"

#include <vigil/common/process_metrics.hpp>

#include <set>

#include "json_util.hpp"
#include "log.hpp"
#include "status_metrics_import.hpp"

namespace vigil::core {

namespace prom = common::prom;

namespace {
constexpr std::string_view kHeartbeatPrefix = "watchdog.";

// A plugin-chosen counter/gauge name as a metric name part ([a-z0-9_]).
std::string metric_part(std::string_view s) {
    std::string out;
    for (char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') out += c;
        else if (c >= 'A' && c <= 'Z') out += char(c - 'A' + 'a');
        else out += '_';
    }
    return out.substr(0, 80);
}

void counter(prom::Exposition& out, const char* name, const char* help, double v) {
    if (auto* f = out.family(name, prom::Type::counter, help)) f->add({}, v);
}
}  // namespace

std::vector<Heartbeat> AgentMetrics::heartbeats(const std::vector<PluginView>& plugins) {
    std::vector<Heartbeat> out;
    for (const auto& p : plugins) {
        if (!p.inst) continue;
        for (const auto& [name, v] : p.inst->gauges())
            if (name.rfind(kHeartbeatPrefix, 0) == 0)
                out.push_back(Heartbeat{p.name, name.substr(kHeartbeatPrefix.size()), v});
    }
    return out;
}

void AgentMetrics::render_plugins(prom::Exposition& out, const std::vector<PluginView>& plugins) {
    auto* state = out.family("vigil_plugin_state", prom::Type::gauge,
                             "1 for the plugin's current state (disabled, running, failed, stopped), else 0");
    auto* info = out.family("vigil_plugin_info", prom::Type::gauge, "Loaded plugin version and ABI (always 1)");
    for (const auto& p : plugins) {
        for (const char* s : {"disabled", "running", "failed", "stopped"})
            state->add({{"plugin", p.name}, {"state", s}}, p.state == s ? 1 : 0);
        if (!p.version.empty()) info->add({{"plugin", p.name}, {"version", p.version}, {"abi", p.abi}}, 1);
    }
}

void AgentMetrics::render_bus(prom::Exposition& out, const std::vector<PluginView>& plugins) {
    auto* published = out.family("vigil_bus_published_total", prom::Type::counter,
                                 "Messages published on the bus by source (plugin counters restart with the plugin)");
    if (src_.host_published) published->add({{"source", "agent"}}, double(src_.host_published()));
    for (const auto& p : plugins)
        if (p.inst) published->add({{"source", p.name}}, double(p.inst->messages_out()));

    struct Totals {
        uint64_t delivered = 0, dropped = 0, depth = 0, capacity = 0;
        bool live = false;
    };
    std::map<std::string, Totals> by_owner;
    for (const auto& s : src_.bus->subscriptions()) {
        Totals& t = by_owner[s.owner];
        t.delivered += s.delivered;
        t.dropped += s.dropped;
        if (s.live) {
            t.depth += s.depth;
            t.capacity += s.capacity;
            t.live = true;
        }
    }
    auto* delivered = out.family("vigil_bus_delivered_total", prom::Type::counter, "Messages delivered per subscriber");
    auto* dropped = out.family("vigil_bus_dropped_total", prom::Type::counter,
                               "Telemetry messages dropped per subscriber because its queue was full");
    auto* depth = out.family("vigil_bus_queue_depth", prom::Type::gauge, "Messages waiting in a subscriber's queues");
    auto* capacity = out.family("vigil_bus_queue_capacity", prom::Type::gauge,
                                "Telemetry capacity of a subscriber's queues");
    for (const auto& [owner, t] : by_owner) {
        prom::Labels l{{"subscriber", owner}};
        delivered->add(l, double(t.delivered));
        dropped->add(l, double(t.dropped));
        if (!t.live) continue;
        depth->add(l, double(t.depth));
        capacity->add(l, double(t.capacity));
    }
    BusStats bs = src_.bus->stats();
    counter(out, "vigil_bus_commands_total", "Commands sent over the bus", double(bs.commands));
    counter(out, "vigil_bus_command_timeouts_total", "Commands answered by a timeout", double(bs.command_timeouts));
    counter(out, "vigil_bus_late_replies_total", "Replies refused because the command was already answered",
            double(bs.late_replies));
}

void AgentMetrics::render_watchdog(prom::Exposition& out, const std::vector<PluginView>& plugins) {
    if (src_.watchdog) {
        if (auto* f = out.family("vigil_watchdog_healthy", prom::Type::gauge,
                                 "1 while the bus and every heartbeat make progress (systemd pings are sent)"))
            f->add({}, src_.watchdog->healthy() ? 1 : 0);
        counter(out, "vigil_watchdog_stalls_total", "Times progress stopped (pings withheld)",
                double(src_.watchdog->stalls()));
        counter(out, "vigil_watchdog_pings_total", "WATCHDOG=1 notifications sent to systemd",
                double(src_.watchdog->pings()));
    }
    auto* age = out.family("vigil_watchdog_heartbeat_age_seconds", prom::Type::gauge,
                           "Seconds since a plugin component reported progress");
    const int64_t now = monotonic_ms();
    for (const auto& h : heartbeats(plugins))
        if (h.monotonic_ms > 0)
            age->add({{"plugin", h.plugin}, {"component", h.component}}, double(now - h.monotonic_ms) / 1000.0);
}

void AgentMetrics::render_abi_metrics(prom::Exposition& out, const std::vector<PluginView>& plugins) {
    for (const auto& p : plugins) {
        if (!p.inst) continue;
        for (const auto& [name, v] : p.inst->counters()) {
            std::string n = "vigil_" + p.name + "_" + metric_part(name);
            if (n.size() < 6 || n.compare(n.size() - 6, 6, "_total") != 0) n += "_total";
            if (auto* f = out.family(n, prom::Type::counter, "Plugin counter '" + name + "' (host->counter_add)"))
                f->add({}, double(v));
        }
        for (const auto& [name, v] : p.inst->gauges()) {
            if (name.rfind(kHeartbeatPrefix, 0) == 0) continue;
            std::string n = "vigil_" + p.name + "_" + metric_part(name);
            if (auto* f = out.family(n, prom::Type::gauge, "Plugin gauge '" + name + "' (host->gauge_set)"))
                f->add({}, double(v));
        }
    }
}

void AgentMetrics::import_plugin_metrics(prom::Exposition& out, const std::vector<PluginView>& plugins) {
    std::set<std::string, std::less<>> host;
    out.for_each([&](const prom::Family& f) { host.insert(f.name); });
    auto* rejected = out.family("vigil_plugin_metrics_rejected_total", prom::Type::counter,
                                "Entries of a plugin's status metrics refused at the last render");
    host.insert("vigil_plugin_metrics_rejected_total");
    auto is_host = [&host](std::string_view n) { return host.count(n) > 0; };
    for (const auto& p : plugins) {
        if (!p.inst) continue;
        auto doc = parse_json(p.inst->status_json());
        if (!doc || !doc->IsObject() || !doc->HasMember("metrics")) continue;
        auto r = import_status_metrics(p.name, (*doc)["metrics"], out, is_host);
        rejected->add({{"plugin", p.name}}, double(r.rejected));
        std::string& last = last_import_error_[p.name];
        if (r.first_error != last && !r.first_error.empty())
            log_warn("metrics", "plugin " + p.name + ": " + std::to_string(r.rejected) +
                                    " status metrics entries refused: " + r.first_error);
        last = r.first_error;
    }
}

std::string AgentMetrics::render() {
    std::lock_guard<std::mutex> g(mu_);
    prom::Exposition out;
    if (auto* f = out.family("vigil_build_info", prom::Type::gauge, "vigild version and plugin ABI (always 1)"))
        f->add({{"version", src_.version}, {"abi", src_.abi}}, 1);
    if (src_.reloads) counter(out, "vigil_config_reloads_total", "Configuration reloads (SIGHUP)", double(src_.reloads()));
    std::vector<PluginView> plugins = src_.plugins ? src_.plugins->snapshot() : std::vector<PluginView>{};
    render_plugins(out, plugins);
    if (src_.bus) render_bus(out, plugins);
    render_watchdog(out, plugins);
    // Creates its families even before the first detection, so plugins cannot claim the names.
    if (src_.detections) src_.detections->render(out);
    common::render_process_metrics(out);
    render_abi_metrics(out, plugins);
    import_plugin_metrics(out, plugins);
    return out.render();
}

}  // namespace vigil::core
