// vigild: ties configuration, plugins, bus, control socket and the host's own
// commands together, and runs the signal loop (SIGTERM stops within a bounded
// time, SIGHUP re-reads the configuration).
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "agent_metrics.hpp"
#include "bus.hpp"
#include "config.hpp"
#include "control_server.hpp"
#include "detection_metrics.hpp"
#include "executor.hpp"
#include "host_context.hpp"
#include "metrics_http.hpp"
#include "metrics_textfile.hpp"
#include "plugin_manager.hpp"
#include "quarantine_store.hpp"
#include <vigil/common/sd_notify.hpp>
#include "watchdog.hpp"

namespace vigil::core {

// Checks a configuration completely (YAML, agent section, plugins, schemas,
// dependencies) without starting anything. Returns the errors; `summary` gets
// a one-line description when valid.
std::vector<ConfigError> check_config_file(const std::string& path, std::string* summary = nullptr);

class Daemon {
public:
    explicit Daemon(std::string config_path);
    ~Daemon();
    // Returns the process exit code.
    int run();

private:
    bool start(std::string& error);
    void reload();
    void shutdown();
    void register_host_commands();
    std::string status_json();
    std::string host_status_json();
    // Watchdog, metrics outputs: started after the plugins, applied again on SIGHUP.
    void start_operation();
    void schedule_heap_trim();
    void apply_operation_settings();
    void stop_operation();
    std::string ready_status() const;

    std::string config_path_;
    Config config_;
    std::chrono::steady_clock::time_point started_at_;
    std::unique_ptr<Bus> bus_;
    std::unique_ptr<QuarantineStore> quarantine_;
    HostContext ctx_;
    std::unique_ptr<PluginManager> plugins_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<Executor> host_executor_;
    Publisher host_publisher_{"agent"};
    std::atomic<uint64_t> reloads_{0};
    std::string last_reload_error_;
    SystemdNotifier notifier_;
    std::unique_ptr<Watchdog> watchdog_;
    std::unique_ptr<DetectionMetrics> detections_;
    std::unique_ptr<AgentMetrics> metrics_;
    std::unique_ptr<MetricsHttpServer> metrics_http_;
    std::unique_ptr<MetricsTextfile> metrics_textfile_;
    std::string metrics_listen_, metrics_textfile_path_;
    uint32_t metrics_textfile_interval_s_ = 0;
};

}  // namespace vigil::core
