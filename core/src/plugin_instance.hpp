// One running plugin: its negotiated library, its host-side resources
// (executor, subscriptions, commands, metrics, status) and the implementation
// of the vigil_host_api table it calls through its handle.
#pragma once
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>
#include <vigil/agent.hpp>

#include "executor.hpp"
#include "host_context.hpp"
#include "plugin_loader.hpp"

namespace vigil::core {

class PluginInstance {
public:
    PluginInstance(LoadedPlugin lib, HostContext& ctx, std::string settings_json, std::string agent_json);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    // Each returns false and sets last_error() on failure, leaving nothing
    // running (a failed start is stopped and destroyed).
    bool create();
    bool start();
    void stop();
    void destroy();
    // Applies new settings: plugin's reconfigure() when it has one and it
    // succeeds, otherwise a restart of the instance.
    bool reconfigure(const std::string& settings_json);

    const std::string& name() const { return lib_.name; }
    const LoadedPlugin& library() const { return lib_; }
    const std::string& settings_json() const { return settings_; }
    bool running() const { return running_; }
    std::string last_error() const;
    std::string status_json() const;
    std::string metrics_json() const;
    // Snapshots of what the plugin set with counter_add / gauge_set.
    std::map<std::string, uint64_t> counters() const;
    std::map<std::string, int64_t> gauges() const;
    uint64_t messages_in() const { return counters_.delivered.load() + commands_in_.load(); }
    uint64_t messages_out() const { return publisher_.published.load(); }
    uint64_t messages_dropped() const { return counters_.dropped.load(); }

    static const vigil_host_api* host_api();
    vigil_host_handle* handle() { return reinterpret_cast<vigil_host_handle*>(this); }
    static PluginInstance* from(vigil_host_handle* h) { return reinterpret_cast<PluginInstance*>(h); }

private:
    friend struct HostApi;
    void set_error(std::string e);
    std::string failure_text(const char* stage, vigil_status rc) const;
    void release_resources(const std::string& reason, std::chrono::milliseconds drain);

    LoadedPlugin lib_;
    HostContext& ctx_;
    std::string settings_;
    std::string agent_json_;
    AgentSettings agent_;                     // agent_json_, typed (vigil_agent_settings)
    std::vector<const char*> plugin_dir_ptrs_;  // into agent_.plugin_dirs
    std::string state_dir_;
    vigil_plugin_state* state_ = nullptr;
    bool running_ = false;
    std::atomic<bool> started_{false};

    Publisher publisher_;
    SubscriberCounters counters_;
    std::atomic<uint64_t> commands_in_{0};
    Executor executor_;

    mutable std::mutex mu_;
    std::set<uint64_t> subscriptions_;
    std::string last_error_;
    std::string status_json_ = "{}";
    std::map<std::string, uint64_t> counters_metrics_;
    std::map<std::string, int64_t> gauges_;
};

}  // namespace vigil::core
