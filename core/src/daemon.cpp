#include "daemon.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <vigil/sdk.hpp>

#include "agent_identity.hpp"
#include "fs_util.hpp"
#include "json_util.hpp"
#include "log.hpp"
#include "version.hpp"
#include "vigil/common/trusted_path.hpp"

namespace vigil::core {

std::vector<ConfigError> check_config_file(const std::string& path, std::string* summary) {
    auto parsed = load_config_file(path);
    if (!parsed.config) return parsed.errors;
    PluginPlan plan = plan_plugins(*parsed.config);
    std::vector<ConfigError> errors = plan.errors;
    for (const auto& [name, why] : plan.load_failed) {
        const PluginConfig* pc = parsed.config->plugin(name);
        errors.push_back({path, pc ? pc->line : 0, "plugins." + name, "cannot load: " + why});
    }
    if (errors.empty() && summary) {
        std::string enabled, disabled;
        for (const auto& pc : parsed.config->plugins) {
            std::string& list = pc.enabled ? enabled : disabled;
            list += (list.empty() ? "" : ", ") + pc.name;
        }
        *summary = path + ": OK; enabled: " + (enabled.empty() ? "none" : enabled) +
                   "; disabled: " + (disabled.empty() ? "none" : disabled);
    }
    return errors;
}

namespace {

std::string errors_json(const std::vector<ConfigError>& errors) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("valid");
    w.Bool(errors.empty());
    w.Key("errors");
    w.StartArray();
    for (const auto& e : errors) write_str(w, e.str());
    w.EndArray();
    w.EndObject();
    return sb.GetString();
}
}  // namespace

Daemon::Daemon(std::string config_path) : config_path_(std::move(config_path)) {}

Daemon::~Daemon() {
    stop_operation();
    if (control_) control_->stop();
    if (plugins_) plugins_->stop_all();
    if (host_executor_) host_executor_->stop();
}

std::string Daemon::status_json() {
    auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_at_).count();
    BusStats bs = bus_->stats();
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    write_kv(w, "version", kVersion);
    write_kv(w, "abi", std::to_string(VIGIL_ABI_MAJOR) + "." + std::to_string(VIGIL_ABI_MINOR));
    w.Key("uptime_s");
    w.Int64(up);
    w.Key("pid");
    w.Int(::getpid());
    write_kv(w, "agent_id", ctx_.agent_id);
    write_kv(w, "hostname", ctx_.hostname);
    write_kv(w, "config", config_path_);
    write_kv(w, "state_dir", config_.agent.state_dir);
    write_kv(w, "control_socket", config_.agent.control_socket);
    w.Key("reloads");
    w.Uint64(reloads_.load());
    if (watchdog_) {
        w.Key("watchdog");
        w.StartObject();
        write_bool(w, "healthy", watchdog_->healthy());
        write_bool(w, "systemd", notifier_.watchdog_timeout().count() > 0);
        write_uint(w, "pings", watchdog_->pings());
        w.Key("problems");
        w.StartArray();
        for (const auto& p : watchdog_->problems()) write_str(w, p);
        w.EndArray();
        w.EndObject();
    }
    write_kv(w, "last_reload_error", last_reload_error_);
    w.Key("bus");
    w.StartObject();
    w.Key("published");
    w.Uint64(bs.published);
    w.Key("dropped");
    w.Uint64(bs.dropped);
    w.Key("commands");
    w.Uint64(bs.commands);
    w.Key("command_timeouts");
    w.Uint64(bs.command_timeouts);
    w.Key("late_replies");
    w.Uint64(bs.late_replies);
    w.EndObject();
    w.Key("plugins");
    std::string pj = plugins_->plugins_json();
    w.RawValue(pj.c_str(), pj.size(), rapidjson::kArrayType);
    w.EndObject();
    return sb.GetString();
}

std::string Daemon::host_status_json() { return status_json(); }

void Daemon::register_host_commands() {
    auto reg = [this](const std::string& name, std::function<bool(const rapidjson::Document&, std::string&)> fn) {
        bus_->register_command(name, "agent", [this, name, fn](const MessageRef& cmd) {
            return host_executor_->post([this, cmd, fn] {
                auto v = view<vigil_command>(cmd->payload, cmd->payload_size);
                std::string_view args = v.str(v->args_json);
                std::string perr;
                auto doc = parse_json(args.empty() ? "{}" : args, &perr);
                std::string out;
                bool ok = false;
                if (!doc || !doc->IsObject()) out = "arguments must be a JSON object" + (perr.empty() ? "" : ": " + perr);
                else ok = fn(*doc, out);
                bus_->reply(host_publisher_, cmd->correlation_id, ok ? VIGIL_OK : VIGIL_EINVAL, ok ? out : "",
                            ok ? "" : out);
            });
        });
    };
    // The quarantine entry id may come as "id" or as the first positional arg (vigilctl).
    auto id_of = [](const rapidjson::Document& a) {
        std::string id = json_string(a, "id");
        if (id.empty() && a.HasMember("args") && a["args"].IsArray() && !a["args"].Empty() && a["args"][0].IsString())
            id = a["args"][0].GetString();
        if (id.empty() && a.HasMember("args") && a["args"].IsString()) id = a["args"].GetString();
        return id;
    };
    auto publish_action = [this](const std::string& action, const std::string& object, bool ok,
                                 const std::string& details, const std::string& error) {
        ActionResult r;
        r.status = ok ? VIGIL_OK : VIGIL_EFAILED;
        r.action = action;
        r.object = object;
        r.details_json = details;
        r.error = error;
        r.origin = "agent";
        bus_->publish(host_publisher_, envelope(VIGIL_TYPE_ACTION_RESULT, r.payload()));
    };
    reg("agent.quarantine_list", [this](const rapidjson::Document&, std::string& out) {
        out = "{\"entries\":" + quarantine_->list_json() + "}";
        return true;
    });
    // A command on one quarantine entry: the id, then `run`, then an action_result either way.
    auto entry_command = [id_of, publish_action](const char* action, auto run) {
        return [id_of, publish_action, action, run](const rapidjson::Document& a, std::string& out) {
            std::string id = id_of(a);
            if (id.empty()) {
                out = "missing \"id\" of the quarantine entry";
                return false;
            }
            bool ok = run(a, id, out);
            publish_action(action, id, ok, ok ? out : "", ok ? "" : out);
            return ok;
        };
    };
    reg("agent.quarantine_restore",
        entry_command("quarantine_restore", [this](const rapidjson::Document& a, const std::string& id, std::string& out) {
            auto flag = [&a](const char* k) { return a.HasMember(k) && a[k].IsBool() && a[k].GetBool(); };
            RestoreRequest req{id, json_string(a, "path"), flag("overwrite"), flag("keep"), flag("force")};
            return quarantine_->restore(req, out);
        }));
    reg("agent.quarantine_delete",
        entry_command("quarantine_delete", [this](const rapidjson::Document&, const std::string& id, std::string& out) {
            return quarantine_->remove(id, out);
        }));
    reg("agent.status", [this](const rapidjson::Document&, std::string& out) {
        out = status_json();
        return true;
    });
}

bool Daemon::start(std::string& error) {
    if (common::insecure_dev_permissions())
        log_warn("host",
                 "SECURITY: VIGIL_INSECURE_DEV_PERMISSIONS=1: code and config that others can modify are loaded "
                 "with a warning instead of being refused. For a developer's own build only, never on a host "
                 "to protect.");
    auto parsed = load_config_file(config_path_);
    if (!parsed.config) {
        for (const auto& e : parsed.errors) error += e.str() + "\n";
        return false;
    }
    config_ = *parsed.config;
    LogLevel lvl;
    if (parse_log_level(config_.agent.log_level, lvl)) set_log_level(lvl);
    LogFormat fmt;
    if (parse_log_format(config_.agent.log_format, fmt)) set_log_format(fmt);
    if (!make_dirs(config_.agent.state_dir, 0700)) {
        error = "cannot create state directory " + config_.agent.state_dir + ": " + std::strerror(errno);
        return false;
    }
    std::string id_err;
    ctx_.agent_id = load_or_create_agent_id(config_.agent.state_dir, id_err);
    if (ctx_.agent_id.empty()) {
        error = id_err;
        return false;
    }
    PluginPlan plan = plan_plugins(config_);
    if (!plan.errors.empty()) {
        for (const auto& e : plan.errors) error += e.str() + "\n";
        error += "vigild: configuration refused; nothing was started";
        return false;
    }
    bus_ = std::make_unique<Bus>();
    // Restores never write into the system's protected paths or the agent's own state.
    common::PathRules protected_paths(common::default_protected_paths());
    protected_paths.add(config_.agent.state_dir + "/**");
    quarantine_ = std::make_unique<QuarantineStore>(config_.agent.state_dir + "/quarantine", protected_paths);
    host_executor_ = std::make_unique<Executor>("agent");
    host_executor_->start();
    ctx_.bus = bus_.get();
    ctx_.quarantine = quarantine_.get();
    ctx_.hostname = local_hostname();
    ctx_.version = kVersion;
    ctx_.state_dir = config_.agent.state_dir;
    ctx_.default_queue_capacity = config_.agent.queue_capacity;
    ctx_.stop_drain = std::chrono::milliseconds(std::min<uint32_t>(2000, config_.agent.stop_timeout_s * 250));
    ctx_.host_status_json = [this] { return host_status_json(); };
    plugins_ = std::make_unique<PluginManager>(ctx_);
    bus_->set_unavailable_fn([this](const std::string& p) { return plugins_->unavailable_reason(p); });
    register_host_commands();

    ControlServer::Handlers h;
    h.status_json = [this] { return status_json(); };
    h.plugins_json = [this] { return plugins_->plugins_json(); };
    h.config_check = [](const std::string& path) { return errors_json(check_config_file(path)); };
    h.metrics_text = [this] { return metrics_ ? metrics_->render() : std::string(); };
    log_info("host", std::string("vigild ") + kVersion + " (ABI " + std::to_string(VIGIL_ABI_MAJOR) + "." +
                         std::to_string(VIGIL_ABI_MINOR) + ") agent " + ctx_.agent_id + ", config " + config_path_);
    // Plugins first: once the control socket answers, every plugin is settled.
    plugins_->apply(config_, plan);
    start_operation();
    control_ = std::make_unique<ControlServer>(*bus_, h);
    if (!control_->start(config_.agent.control_socket, error)) return false;
    log_info("host", "ready; control socket " + config_.agent.control_socket);
    notifier_.ready(ready_status());
    return true;
}

void Daemon::reload() {
    ++reloads_;
    notifier_.reloading();
    log_info("host", "SIGHUP: re-reading " + config_path_);
    auto parsed = load_config_file(config_path_);
    std::string err;
    if (!parsed.config) {
        for (const auto& e : parsed.errors) err += e.str() + "; ";
    } else {
        PluginPlan plan = plan_plugins(*parsed.config);
        for (const auto& e : plan.errors) err += e.str() + "; ";
        if (err.empty()) {
            const AgentConfig& a = parsed.config->agent;
            if (a.state_dir != config_.agent.state_dir || a.control_socket != config_.agent.control_socket ||
                a.queue_capacity != config_.agent.queue_capacity)
                log_warn("host", "agent.state_dir, agent.control_socket and agent.queue_capacity apply after a restart");
            LogLevel lvl;
            if (parse_log_level(a.log_level, lvl)) set_log_level(lvl);
            Config next = *parsed.config;
            next.agent.state_dir = config_.agent.state_dir;
            next.agent.control_socket = config_.agent.control_socket;
            config_ = next;
            plugins_->apply(config_, plan);
            apply_operation_settings();
            last_reload_error_.clear();
            log_info("host", "configuration reloaded");
            notifier_.ready(ready_status());
            return;
        }
    }
    last_reload_error_ = err;
    log_error("host", "reload refused, the running configuration stays in effect: " + err);
    notifier_.ready("running; last reload refused: " + err);
}

void Daemon::shutdown() {
    // A plugin that ignores stop() must not keep the host from exiting.
    const auto limit = std::chrono::seconds(config_.agent.stop_timeout_s);
    std::thread([limit] {
        std::this_thread::sleep_for(limit);
        log_error("host", "plugins did not stop within " + std::to_string(limit.count()) + " s; exiting anyway");
        std::_Exit(1);
    }).detach();
    notifier_.stopping();
    log_info("host", "stopping");
    stop_operation();
    // No new vigilctl requests; stopping the plugins answers the commands
    // still in flight, and only then are the clients waited for.
    if (control_) control_->stop_accepting();
    plugins_->stop_all();
    if (control_) control_->stop();
    host_executor_->stop();
    log_info("host", "stopped");
}

int Daemon::run() {
    // Signals are handled synchronously by this thread only: block them before
    // any other thread exists so every thread inherits the mask.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    started_at_ = std::chrono::steady_clock::now();
    notifier_ = SystemdNotifier::from_environment();  // before any thread: it edits the environment

    std::string error;
    if (!start(error)) {
        // Through the log, so each line gets its journald priority.
        size_t from = 0;
        while (from < error.size()) {
            size_t nl = error.find('\n', from);
            if (nl == std::string::npos) nl = error.size();
            if (nl > from) log_error("host", error.substr(from, nl - from));
            from = nl + 1;
        }
        stop_operation();
        if (control_) control_->stop();
        if (plugins_) plugins_->stop_all();
        return 2;
    }
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGHUP) reload();
        else if (sig == SIGTERM || sig == SIGINT) break;
    }
    shutdown();
    return 0;
}

}  // namespace vigil::core
