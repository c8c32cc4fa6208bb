// vigild: ties configuration, plugins, bus, control socket and the host's own
// commands together, and runs the signal loop (SIGTERM stops within a bounded
// time, SIGHUP re-reads the configuration).
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "bus.hpp"
#include "config.hpp"
#include "control_server.hpp"
#include "executor.hpp"
#include "host_context.hpp"
#include "plugin_manager.hpp"
#include "quarantine_store.hpp"

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
    uint64_t reloads_ = 0;
    std::string last_reload_error_;
};

}  // namespace vigil::core
