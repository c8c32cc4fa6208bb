// Owns the plugin instances: turns a validated configuration into running
// plugins in dependency order, applies changed configurations (SIGHUP), and
// stops everything in reverse order.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config.hpp"
#include "plugin_instance.hpp"

namespace vigil::core {

// The outcome of checking a configuration against the plugins on disk.
struct PluginPlan {
    std::vector<ConfigError> errors;                 // the configuration is refused when not empty
    std::map<std::string, LoadedPlugin> loaded;      // enabled plugins that loaded and negotiated
    std::map<std::string, std::string> load_failed;  // enabled plugins that could not load (runtime failure)
    std::vector<std::string> order;                  // enabled plugins, dependencies first
    // Validated settings with the schema's defaults filled in, per loaded plugin.
    std::map<std::string, std::string> settings;
    // The settings a plugin receives: the filled-in text, else the section as written.
    const std::string& settings_of(const PluginConfig& pc) const {
        auto it = settings.find(pc.name);
        return it == settings.end() ? pc.settings_json : it->second;
    }
};

PluginPlan plan_plugins(const Config& cfg);

// One configured plugin as metrics and the watchdog see it.
struct PluginView {
    std::string name;
    std::string state;  // disabled | running | failed | stopped
    std::string version;
    std::string abi;
    std::shared_ptr<PluginInstance> inst;  // set while running
};

class PluginManager {
public:
    explicit PluginManager(HostContext& ctx);
    ~PluginManager();

    // Brings the running set in line with `cfg` (which must have an error-free plan).
    void apply(const Config& cfg, const PluginPlan& plan);
    void stop_all();

    // JSON array of plugins with state, counters, status (for vigilctl and heartbeats).
    std::string plugins_json() const;
    // Why plugin `name` cannot take commands ("" when it can).
    std::string unavailable_reason(const std::string& name) const;
    std::string state_of(const std::string& name) const;
    std::vector<PluginView> snapshot() const;

private:
    struct Entry {
        std::string name;
        std::string state = "disabled";  // disabled | running | failed | stopped
        std::string error;
        std::string settings_json;
        std::vector<std::string> requires_plugins;
        std::shared_ptr<PluginInstance> inst;
        LoadedPlugin lib;
        bool have_lib = false;
    };
    void set_state(Entry& e, const std::string& state, const std::string& error);
    void publish_status(const Entry& e);
    void stop_entry(Entry& e, const std::string& new_state, const std::string& why);
    // The three steps of apply().
    void stop_unwanted(const Config& cfg, const PluginPlan& plan, bool agent_changed);
    void record_and_reconfigure(const Config& cfg, const PluginPlan& plan);
    void start_planned(const Config& cfg, const PluginPlan& plan);

    HostContext& ctx_;
    Publisher publisher_{"host"};
    std::mutex apply_mu_;
    mutable std::mutex snap_mu_;
    std::map<std::string, Entry> entries_;
    std::vector<std::string> order_;  // start order of the current configuration
    std::string agent_proxy_;
    bool applied_once_ = false;
};

}  // namespace vigil::core
