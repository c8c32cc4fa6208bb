// The agent's Prometheus exposition (docs/metrics.md): build info, plugin
// states, bus traffic per source and subscriber, queue depths, watchdog,
// detections and actions, the process_* set, the counters and gauges plugins
// set through the ABI, and the "metrics" array of each running plugin's status.
#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <vigil/common/prometheus.hpp>

#include "bus.hpp"
#include "detection_metrics.hpp"
#include "plugin_manager.hpp"
#include "watchdog.hpp"

namespace vigil::core {

class AgentMetrics {
public:
    struct Sources {
        std::string version;
        std::string abi;
        const Bus* bus = nullptr;
        const PluginManager* plugins = nullptr;
        const DetectionMetrics* detections = nullptr;
        const Watchdog* watchdog = nullptr;
        std::function<uint64_t()> host_published;  // messages the host itself published
        std::function<uint64_t()> reloads;         // SIGHUPs handled
    };
    explicit AgentMetrics(Sources sources) : src_(std::move(sources)) {}

    // The exposition text (format 0.0.4).
    std::string render();

    // The plugins' watchdog.* gauges, for the watchdog.
    static std::vector<Heartbeat> heartbeats(const std::vector<PluginView>& plugins);

private:
    void render_plugins(common::prom::Exposition& out, const std::vector<PluginView>& plugins);
    void render_bus(common::prom::Exposition& out, const std::vector<PluginView>& plugins);
    void render_watchdog(common::prom::Exposition& out, const std::vector<PluginView>& plugins);
    void render_abi_metrics(common::prom::Exposition& out, const std::vector<PluginView>& plugins);
    void import_plugin_metrics(common::prom::Exposition& out, const std::vector<PluginView>& plugins);

    Sources src_;
    std::mutex mu_;  // render() may run from the control socket, HTTP and the textfile writer
    std::map<std::string, std::string> last_import_error_;
};

}  // namespace vigil::core
