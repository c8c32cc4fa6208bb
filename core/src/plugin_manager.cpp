#include "plugin_manager.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include <vigil/sdk.hpp>

#include "json_util.hpp"
#include "log.hpp"
#include "schema_check.hpp"
#include "schema_defaults.hpp"
#include "vigil/common/trusted_path.hpp"

namespace vigil::core {

PluginPlan plan_plugins(const Config& cfg) {
    PluginPlan plan;
    for (const auto& pc : cfg.plugins) {
        if (!pc.enabled) continue;
        const std::string key = "plugins." + pc.name;
        std::string file = find_plugin_file(cfg.agent.plugin_dirs, pc.name);
        if (file.empty()) {
            std::string dirs;
            for (const auto& d : cfg.agent.plugin_dirs) dirs += (dirs.empty() ? "" : ", ") + d;
            plan.errors.push_back({cfg.file, pc.line, key, "unknown plugin: no " + pc.name + ".so in " + dirs});
            continue;
        }
        // Checked before dlopen: loading runs the library's code as root.
        try {
            if (auto warning = common::require_trusted_path(file, "plugin", common::PathKind::file); !warning.empty())
                log_warn("host", warning);
        } catch (const common::UntrustedPath& e) {
            plan.load_failed[pc.name] = e.what();
            continue;
        }
        LoadResult lr = load_plugin(file, pc.name);
        if (!lr.ok) {
            plan.load_failed[pc.name] = lr.error;
            continue;
        }
        if (!lr.plugin.schema.empty()) {
            if (auto bad = check_schema_text(lr.plugin.schema)) {
                plan.load_failed[pc.name] = *bad;
                continue;
            }
            if (auto v = validate_against_schema(lr.plugin.schema, pc.settings_json)) {
                int line = pc.line;
                if (auto it = pc.lines.find(v->pointer); it != pc.lines.end()) line = it->second;
                std::string sub = pointer_to_key(v->pointer);
                plan.errors.push_back({cfg.file, line, sub.empty() ? key : key + "." + sub, v->reason});
                continue;
            }
            plan.settings[pc.name] = apply_schema_defaults(lr.plugin.schema, pc.settings_json);
        }
        plan.loaded[pc.name] = lr.plugin;
    }
    // Dependencies must be enabled; the graph must be acyclic.
    for (const auto& [name, lib] : plan.loaded) {
        const PluginConfig* pc = cfg.plugin(name);
        for (const auto& req : lib.requires_plugins) {
            const PluginConfig* dep = cfg.plugin(req);
            if (!dep)
                plan.errors.push_back({cfg.file, pc->line, "plugins." + name,
                                       "requires plugin '" + req + "', which is not configured (add plugins." + req +
                                           " with enabled: true)"});
            else if (!dep->enabled)
                plan.errors.push_back({cfg.file, dep->line, "plugins." + name,
                                       "requires plugin '" + req + "', which is disabled"});
        }
    }
    std::set<std::string> done, visiting;
    std::function<void(const std::string&)> visit = [&](const std::string& n) {
        if (done.count(n)) return;
        if (visiting.count(n)) {
            const PluginConfig* pc = cfg.plugin(n);
            plan.errors.push_back({cfg.file, pc ? pc->line : 0, "plugins." + n, "dependency cycle through '" + n + "'"});
            return;
        }
        visiting.insert(n);
        if (auto it = plan.loaded.find(n); it != plan.loaded.end())
            for (const auto& req : it->second.requires_plugins)
                if (cfg.plugin(req) && cfg.plugin(req)->enabled) visit(req);
        visiting.erase(n);
        done.insert(n);
        plan.order.push_back(n);
    };
    for (const auto& pc : cfg.plugins)
        if (pc.enabled && !done.count(pc.name)) visit(pc.name);
    return plan;
}

PluginManager::PluginManager(HostContext& ctx) : ctx_(ctx) {}
PluginManager::~PluginManager() { stop_all(); }

void PluginManager::set_state(Entry& e, const std::string& state, const std::string& error) {
    {
        std::lock_guard<std::mutex> g(snap_mu_);
        e.state = state;
        e.error = error;
    }
    if (state == "failed") log_error("host", "plugin " + e.name + " failed: " + error);
    publish_status(e);
}

void PluginManager::publish_status(const Entry& e) {
    PayloadBuilder<vigil_plugin_status> b;
    uint32_t code = e.state == "running" ? VIGIL_PLUGIN_RUNNING
                    : e.state == "failed" ? VIGIL_PLUGIN_FAILED
                    : e.state == "stopped" ? VIGIL_PLUGIN_STOPPED
                                           : VIGIL_PLUGIN_DISABLED;
    b.head().state = code;
    b.head().plugin = b.add(e.name);
    b.head().message = b.add(e.error);
    ctx_.bus->publish(publisher_, envelope(VIGIL_TYPE_PLUGIN_STATUS, b));
}

void PluginManager::stop_entry(Entry& e, const std::string& new_state, const std::string& why) {
    if (e.inst) {
        log_info("host", "stopping plugin " + e.name + (why.empty() ? "" : " (" + why + ")"));
        e.inst->stop();
        e.inst->destroy();
        std::lock_guard<std::mutex> g(snap_mu_);
        e.inst.reset();
    }
    set_state(e, new_state, why);
}

void PluginManager::apply(const Config& cfg, const PluginPlan& plan) {
    std::lock_guard<std::mutex> lock(apply_mu_);
    // Plugins read the proxy from the agent section: a new proxy restarts them.
    const bool agent_changed = applied_once_ && agent_proxy_ != cfg.agent.proxy;
    agent_proxy_ = cfg.agent.proxy;
    applied_once_ = true;
    stop_unwanted(cfg, plan, agent_changed);
    record_and_reconfigure(cfg, plan);
    start_planned(cfg, plan);
}

// Stops what is no longer wanted (or no longer loads), dependents first.
void PluginManager::stop_unwanted(const Config& cfg, const PluginPlan& plan, bool agent_changed) {
    std::set<std::string> to_stop;
    for (auto& [name, e] : entries_) {
        if (!e.inst) continue;
        const PluginConfig* pc = cfg.plugin(name);
        if (!pc || !pc->enabled || !plan.loaded.count(name) || agent_changed) to_stop.insert(name);
    }
    bool grew = true;
    while (grew) {  // a running plugin whose dependency stops must stop too
        grew = false;
        for (auto& [name, e] : entries_)
            if (e.inst && !to_stop.count(name))
                for (const auto& r : e.requires_plugins)
                    if (to_stop.count(r)) {
                        to_stop.insert(name);
                        grew = true;
                    }
    }
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
        if (!to_stop.count(*it)) continue;
        Entry& e = entries_[*it];
        const PluginConfig* pc = cfg.plugin(*it);
        bool still_enabled = pc && pc->enabled;
        stop_entry(e, still_enabled ? "stopped" : "disabled", still_enabled ? "restarting" : "");
    }
}

// Records every configured plugin; reconfigures running ones whose settings changed.
void PluginManager::record_and_reconfigure(const Config& cfg, const PluginPlan& plan) {
    for (const auto& pc : cfg.plugins) {
        Entry* e;
        {
            std::lock_guard<std::mutex> g(snap_mu_);
            e = &entries_[pc.name];
            e->name = pc.name;
        }
        if (!pc.enabled) {
            if (e->state != "disabled") set_state(*e, "disabled", "");
            continue;
        }
        if (auto lf = plan.load_failed.find(pc.name); lf != plan.load_failed.end()) {
            set_state(*e, "failed", lf->second);
            continue;
        }
        if (auto ld = plan.loaded.find(pc.name); ld != plan.loaded.end()) {
            std::lock_guard<std::mutex> g(snap_mu_);
            e->lib = ld->second;
            e->have_lib = true;
            e->requires_plugins = ld->second.requires_plugins;
        }
        const std::string& settings = plan.settings_of(pc);
        if (e->inst && e->settings_json != settings) {
            log_info("host", "applying new settings to plugin " + pc.name);
            e->settings_json = settings;
            if (!e->inst->reconfigure(settings)) {
                std::string err = e->inst->last_error();
                {
                    std::lock_guard<std::mutex> g(snap_mu_);
                    e->inst.reset();
                }
                set_state(*e, "failed", err);
            }
        }
    }
    // Plugins removed from the file entirely are forgotten.
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (!cfg.plugin(it->first) && !it->second.inst) {
            std::lock_guard<std::mutex> g(snap_mu_);
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
}

// Starts what should run, dependencies first.
void PluginManager::start_planned(const Config& cfg, const PluginPlan& plan) {
    order_ = plan.order;
    for (const auto& name : plan.order) {
        Entry& e = entries_[name];
        if (e.inst || !plan.loaded.count(name)) continue;
        std::string blocked;
        for (const auto& r : e.requires_plugins) {
            auto it = entries_.find(r);
            if (it == entries_.end() || !it->second.inst) {
                std::string why = it == entries_.end() ? "is not configured" : "is " + it->second.state;
                if (it != entries_.end() && !it->second.error.empty()) why += ": " + it->second.error;
                blocked = "requires plugin '" + r + "', which " + why;
                break;
            }
        }
        if (!blocked.empty()) {
            set_state(e, "failed", blocked);
            continue;
        }
        const PluginConfig* pc = cfg.plugin(name);
        e.settings_json = plan.settings_of(*pc);
        auto inst = std::make_shared<PluginInstance>(e.lib, ctx_, e.settings_json, cfg.agent.json);
        log_info("host", "starting plugin " + name + " " + e.lib.version + " (ABI " + e.lib.abi_text() + ")");
        if (!inst->create() || !inst->start()) {
            set_state(e, "failed", inst->last_error());
            continue;
        }
        {
            std::lock_guard<std::mutex> g(snap_mu_);
            e.inst = inst;
        }
        set_state(e, "running", "");
    }
}

void PluginManager::stop_all() {
    std::lock_guard<std::mutex> lock(apply_mu_);
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
        auto e = entries_.find(*it);
        if (e != entries_.end() && e->second.inst) stop_entry(e->second, "stopped", "");
    }
}

std::string PluginManager::plugins_json() const {
    std::lock_guard<std::mutex> g(snap_mu_);
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartArray();
    for (const auto& [name, e] : entries_) {
        w.StartObject();
        write_kv(w, "name", name);
        write_kv(w, "state", e.state);
        write_kv(w, "error", e.inst ? e.inst->last_error() : e.error);
        write_kv(w, "version", e.have_lib ? e.lib.version : "");
        write_kv(w, "abi", e.have_lib ? e.lib.abi_text() : "");
        write_kv(w, "description", e.have_lib ? e.lib.description : "");
        write_kv(w, "path", e.have_lib ? e.lib.path : "");
        w.Key("requires");
        w.StartArray();
        for (const auto& r : e.requires_plugins) write_str(w, r);
        w.EndArray();
        w.Key("messages_in");
        w.Uint64(e.inst ? e.inst->messages_in() : 0);
        w.Key("messages_out");
        w.Uint64(e.inst ? e.inst->messages_out() : 0);
        w.Key("messages_dropped");
        w.Uint64(e.inst ? e.inst->messages_dropped() : 0);
        w.Key("status");
        std::string st = e.inst ? e.inst->status_json() : "{}";
        w.RawValue(st.c_str(), st.size(), rapidjson::kObjectType);
        w.Key("metrics");
        std::string mt = e.inst ? e.inst->metrics_json() : "{}";
        w.RawValue(mt.c_str(), mt.size(), rapidjson::kObjectType);
        w.EndObject();
    }
    w.EndArray();
    return sb.GetString();
}

std::string PluginManager::unavailable_reason(const std::string& name) const {
    std::lock_guard<std::mutex> g(snap_mu_);
    auto it = entries_.find(name);
    if (it == entries_.end()) return name == "agent" ? "" : "plugin " + name + " is not configured";
    const Entry& e = it->second;
    if (e.state == "running") return "";
    if (e.state == "disabled") return "plugin " + name + " is disabled";
    return "plugin " + name + " is " + e.state + (e.error.empty() ? "" : " (" + e.error + ")");
}

std::vector<PluginView> PluginManager::snapshot() const {
    std::lock_guard<std::mutex> g(snap_mu_);
    std::vector<PluginView> out;
    for (const auto& [name, e] : entries_)
        out.push_back(PluginView{name, e.state, e.have_lib ? e.lib.version : "", e.have_lib ? e.lib.abi_text() : "",
                                 e.inst});
    return out;
}

std::string PluginManager::state_of(const std::string& name) const {
    std::lock_guard<std::mutex> g(snap_mu_);
    auto it = entries_.find(name);
    return it == entries_.end() ? "" : it->second.state;
}

}  // namespace vigil::core
