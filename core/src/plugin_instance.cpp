#include "plugin_instance.hpp"

#include <vigil/common/safe_fs.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "fs_util.hpp"
#include "json_util.hpp"
#include "log.hpp"

namespace vigil::core {

// The host side of the ABI: every function receives the instance handle.
struct HostApi {
    static PluginInstance* P(vigil_host_handle* h) { return PluginInstance::from(h); }

    static void log(vigil_host_handle* h, int32_t level, const char* msg, uint32_t len) {
        if (!h || !msg) return;
        LogLevel l = level <= 0 ? LogLevel::trace : level >= 4 ? LogLevel::error : LogLevel(level);
        core::log(l, P(h)->name(), std::string_view(msg, len));
    }

    static vigil_status publish(vigil_host_handle* h, const vigil_message* msg) {
        if (!h || !msg) return VIGIL_EINVAL;
        return P(h)->ctx_.bus->publish(P(h)->publisher_, *msg);
    }

    static vigil_status subscribe(vigil_host_handle* h, uint32_t type, const vigil_subscribe_options* o,
                                  vigil_message_cb cb, void* user, uint64_t* out_id) {
        if (!h || !cb) return VIGIL_EINVAL;
        auto* p = P(h);
        uint32_t cap = p->ctx_.default_queue_capacity;
        auto policy = VIGIL_OVERFLOW_DROP_OLDEST;
        if (o && VIGIL_HAS_FIELD(o, vigil_subscribe_options, queue_capacity) && o->queue_capacity)
            cap = o->queue_capacity;
        if (o && VIGIL_HAS_FIELD(o, vigil_subscribe_options, overflow_policy))
            policy = vigil_overflow_policy(o->overflow_policy);
        uint64_t id = p->ctx_.bus->subscribe(
            type, cap, policy, [cb, user](const vigil_message& m) { cb(user, &m); }, p->name(), &p->counters_,
            p->started_.load());
        if (id == 0) return VIGIL_EINVAL;
        {
            std::lock_guard<std::mutex> g(p->mu_);
            p->subscriptions_.insert(id);
        }
        if (out_id) *out_id = id;
        return VIGIL_OK;
    }

    static vigil_status unsubscribe(vigil_host_handle* h, uint64_t id) {
        if (!h) return VIGIL_EINVAL;
        auto* p = P(h);
        {
            std::lock_guard<std::mutex> g(p->mu_);
            if (!p->subscriptions_.erase(id)) return VIGIL_ENOTFOUND;
        }
        p->ctx_.bus->unsubscribe(id);
        return VIGIL_OK;
    }

    static vigil_status register_type(vigil_host_handle* h, const char* name, uint32_t len, uint32_t* out) {
        if (!h || !name || !len || !out || len > 128) return VIGIL_EINVAL;
        *out = P(h)->ctx_.bus->register_type(std::string_view(name, len));
        return VIGIL_OK;
    }

    static vigil_status register_command(vigil_host_handle* h, const char* name, uint32_t len, vigil_command_cb cb,
                                         void* user) {
        if (!h || !name || !cb) return VIGIL_EINVAL;
        auto* p = P(h);
        std::string n(name, len);
        if (n.rfind(p->name() + ".", 0) != 0 || n.size() == p->name().size() + 1) {
            log_error(p->name(), "command '" + n + "' refused: commands must be named '" + p->name() + ".<verb>'");
            return VIGIL_EINVAL;
        }
        return p->ctx_.bus->register_command(n, p->name(), [p, cb, user](const MessageRef& cmd) {
            p->commands_in_.fetch_add(1, std::memory_order_relaxed);
            return p->executor_.post([cb, user, cmd] { cb(user, &cmd.env()); });
        });
    }

    static vigil_status send_command(vigil_host_handle* h, const char* name, uint32_t name_len, const char* args,
                                     uint32_t args_len, uint32_t timeout_ms, vigil_reply_cb cb, void* user,
                                     uint64_t* out_corr) {
        return send_command_as(h, name, name_len, args, args_len, timeout_ms, nullptr, 0, cb, user, out_corr);
    }

    static vigil_status send_command_as(vigil_host_handle* h, const char* name, uint32_t name_len, const char* args,
                                        uint32_t args_len, uint32_t timeout_ms, const char* origin,
                                        uint32_t origin_len, vigil_reply_cb cb, void* user, uint64_t* out_corr) {
        if (!h || !name || !name_len || !cb || origin_len > 256) return VIGIL_EINVAL;
        auto* p = P(h);
        std::string who = origin && origin_len ? std::string(origin, origin_len) : p->name();
        uint64_t corr = p->ctx_.bus->send_command(
            p->publisher_, std::string_view(name, name_len),
            args ? std::string_view(args, args_len) : std::string_view{}, timeout_ms, who,
            [p, cb, user](const MessageRef& r) {
                if (!p->executor_.post([cb, user, r] { cb(user, &r.env()); }))
                    log_warn(p->name(), "reply discarded: plugin is stopping");
            });
        if (out_corr) *out_corr = corr;
        return VIGIL_OK;
    }

    static vigil_status reply(vigil_host_handle* h, uint64_t corr, vigil_status status, const char* result,
                              uint32_t result_len, const char* error, uint32_t error_len) {
        if (!h) return VIGIL_EINVAL;
        auto* p = P(h);
        return p->ctx_.bus->reply(p->publisher_, corr, status,
                                  result ? std::string_view(result, result_len) : std::string_view{},
                                  error ? std::string_view(error, error_len) : std::string_view{});
    }

    static void counter_add(vigil_host_handle* h, const char* name, uint32_t len, uint64_t delta) {
        if (!h || !name) return;
        auto* p = P(h);
        std::lock_guard<std::mutex> g(p->mu_);
        p->counters_metrics_[std::string(name, len)] += delta;
    }

    static void gauge_set(vigil_host_handle* h, const char* name, uint32_t len, int64_t v) {
        if (!h || !name) return;
        auto* p = P(h);
        std::lock_guard<std::mutex> g(p->mu_);
        p->gauges_[std::string(name, len)] = v;
    }

    static vigil_status timer_start(vigil_host_handle* h, uint32_t interval_ms, int32_t repeat, vigil_task_cb cb,
                                    void* user, uint64_t* out) {
        if (!h || !cb) return VIGIL_EINVAL;
        uint64_t id = P(h)->executor_.add_timer(interval_ms, repeat != 0, [cb, user] { cb(user); });
        if (!id) return VIGIL_ESTATE;
        if (out) *out = id;
        return VIGIL_OK;
    }

    static vigil_status timer_cancel(vigil_host_handle* h, uint64_t id) {
        if (!h) return VIGIL_EINVAL;
        return P(h)->executor_.cancel_timer(id) ? VIGIL_OK : VIGIL_ENOTFOUND;
    }

    static vigil_status post(vigil_host_handle* h, vigil_task_cb cb, void* user) {
        if (!h || !cb) return VIGIL_EINVAL;
        return P(h)->executor_.post([cb, user] { cb(user); }) ? VIGIL_OK : VIGIL_ESTATE;
    }

    static const char* config_json(vigil_host_handle* h, uint32_t* len) {
        if (!h) return nullptr;
        if (len) *len = uint32_t(P(h)->settings_.size());
        return P(h)->settings_.c_str();
    }

    static const char* agent_config_json(vigil_host_handle* h, uint32_t* len) {
        if (!h) return nullptr;
        if (len) *len = uint32_t(P(h)->agent_json_.size());
        return P(h)->agent_json_.c_str();
    }

    static const char* state_dir(vigil_host_handle* h) { return h ? P(h)->state_dir_.c_str() : nullptr; }

    static vigil_status agent_identity(vigil_host_handle* h, vigil_agent_identity* out) {
        if (!h || !out || out->struct_size < sizeof(uint32_t)) return VIGIL_EINVAL;
        auto& c = P(h)->ctx_;
        vigil_agent_identity id{};
        id.struct_size = sizeof id;
        id.agent_id = c.agent_id.c_str();
        id.hostname = c.hostname.c_str();
        id.agent_version = c.version.c_str();
        uint32_t n = std::min<uint32_t>(out->struct_size, sizeof id);
        std::memcpy(out, &id, n);
        out->struct_size = n;
        return VIGIL_OK;
    }

    static vigil_status agent_settings(vigil_host_handle* h, vigil_agent_settings* out) {
        if (!h || !out || out->struct_size < sizeof(uint32_t)) return VIGIL_EINVAL;
        const auto* p = P(h);
        const AgentSettings& a = p->agent_;
        // Without a proxy every proxy string is a literal "": pointers handed out must
        // outlive this call (a local empty ProxyUrl's buffers did not).
        const auto text = [&a](const std::string ProxyUrl::*field) { return a.proxy ? ((*a.proxy).*field).c_str() : ""; };
        vigil_agent_settings s{};
        s.struct_size = sizeof s;
        s.plugin_dir_count = uint32_t(p->plugin_dir_ptrs_.size());
        s.state_dir = a.state_dir.c_str();
        s.control_socket = a.control_socket.c_str();
        s.plugin_dirs = p->plugin_dir_ptrs_.data();
        s.log_level = a.log_level.c_str();
        s.proxy_url = text(&ProxyUrl::url);
        s.proxy_host = text(&ProxyUrl::host);
        s.proxy_username = text(&ProxyUrl::username);
        s.proxy_password = text(&ProxyUrl::password);
        s.proxy_port = a.proxy ? a.proxy->port : 0;
        const uint32_t n = std::min<uint32_t>(out->struct_size, sizeof s);
        std::memcpy(out, &s, n);
        out->struct_size = n;
        return VIGIL_OK;
    }

    static void set_status_json(vigil_host_handle* h, const char* json, uint32_t len) {
        if (!h || !json) return;
        std::string s(json, len);
        if (!parse_json(s)) {
            log_warn(P(h)->name(), "set_status_json ignored: not valid JSON");
            return;
        }
        std::lock_guard<std::mutex> g(P(h)->mu_);
        P(h)->status_json_ = std::move(s);
    }

    static void host_status_json(vigil_host_handle* h, vigil_string_cb cb, void* user) {
        if (!h || !cb) return;
        std::string s = P(h)->ctx_.host_status_json ? P(h)->ctx_.host_status_json() : "{}";
        cb(user, s.data(), uint32_t(s.size()));
    }

    static vigil_status quarantine_put(vigil_host_handle* h, const char* path, uint32_t path_len, const char* meta,
                                       uint32_t meta_len, uint32_t flags, vigil_string_cb cb, void* user) {
        if (!h || !path) return VIGIL_EINVAL;
        auto* p = P(h);
        std::string out;
        bool ok = p->ctx_.quarantine->put(std::string(path, path_len), meta ? std::string(meta, meta_len) : "",
                                          p->name(), flags == VIGIL_QUARANTINE_COPY, out);
        if (cb) cb(user, out.data(), uint32_t(out.size()));
        return ok ? VIGIL_OK : VIGIL_EFAILED;
    }

    static vigil_status quarantine_put_at(vigil_host_handle* h, int32_t dir_fd, const char* name, uint32_t name_len,
                                          const char* path, uint32_t path_len, const vigil_file_identity* expect,
                                          const char* meta, uint32_t meta_len, uint32_t flags, vigil_string_cb cb,
                                          void* user) {
        if (!h || dir_fd < 0 || !name || !path || !expect ||
            !VIGIL_HAS_FIELD(expect, vigil_file_identity, ctime_ns))
            return VIGIL_EINVAL;
        auto* p = P(h);
        std::string out;
        bool ok = false;
        try {
            common::FileStamp stamp;
            stamp.dev = expect->dev;
            stamp.ino = expect->ino;
            stamp.size = expect->size;
            stamp.mtime_ns = expect->mtime_ns;
            stamp.ctime_ns = expect->ctime_ns;
            common::FileRef ref = common::ref_at(dir_fd, std::string(name, name_len), std::string(path, path_len),
                                                 stamp, (expect->flags & VIGIL_FILE_CHECK_VERSION) != 0);
            ok = p->ctx_.quarantine->put_at(ref, meta ? std::string(meta, meta_len) : "", p->name(),
                                            flags == VIGIL_QUARANTINE_COPY, out);
        } catch (const std::exception& e) {
            out = std::string("quarantine: ") + e.what();
        }
        if (cb) cb(user, out.data(), uint32_t(out.size()));
        return ok ? VIGIL_OK : VIGIL_EFAILED;
    }

    static const vigil_host_api table;
};

// Designated initializers: a field out of order is a compile error, not a
// plugin calling the wrong service.
const vigil_host_api HostApi::table = {
    .struct_size = sizeof(vigil_host_api),
    .abi_major = VIGIL_ABI_MAJOR,
    .abi_minor = VIGIL_ABI_MINOR,
    .reserved = 0,
    .log = &HostApi::log,
    .publish = &HostApi::publish,
    .subscribe = &HostApi::subscribe,
    .unsubscribe = &HostApi::unsubscribe,
    .register_type = &HostApi::register_type,
    .register_command = &HostApi::register_command,
    .send_command = &HostApi::send_command,
    .reply = &HostApi::reply,
    .counter_add = &HostApi::counter_add,
    .gauge_set = &HostApi::gauge_set,
    .timer_start = &HostApi::timer_start,
    .timer_cancel = &HostApi::timer_cancel,
    .post = &HostApi::post,
    .config_json = &HostApi::config_json,
    .agent_config_json = &HostApi::agent_config_json,
    .state_dir = &HostApi::state_dir,
    .agent_identity = &HostApi::agent_identity,
    .set_status_json = &HostApi::set_status_json,
    .host_status_json = &HostApi::host_status_json,
    .quarantine_put = &HostApi::quarantine_put,
    .send_command_as = &HostApi::send_command_as,
    .quarantine_put_at = &HostApi::quarantine_put_at,
    .agent_settings = &HostApi::agent_settings,
};

const vigil_host_api* PluginInstance::host_api() { return &HostApi::table; }

PluginInstance::PluginInstance(LoadedPlugin lib, HostContext& ctx, std::string settings_json, std::string agent_json)
    : lib_(std::move(lib)),
      ctx_(ctx),
      settings_(std::move(settings_json)),
      agent_json_(std::move(agent_json)),
      publisher_(lib_.name),
      executor_(lib_.name) {
    state_dir_ = ctx_.state_dir + "/plugins/" + lib_.name;
    // The config loader validated the section (the proxy URL included).
    try {
        agent_ = parse_agent_settings(agent_json_);
    } catch (const std::exception& e) {
        log_warn(lib_.name, std::string("agent settings: ") + e.what());
    }
    for (const auto& d : agent_.plugin_dirs) plugin_dir_ptrs_.push_back(d.c_str());
}

PluginInstance::~PluginInstance() {
    if (running_) stop();
    destroy();
}

void PluginInstance::set_error(std::string e) {
    std::lock_guard<std::mutex> g(mu_);
    last_error_ = std::move(e);
}

std::string PluginInstance::last_error() const {
    std::lock_guard<std::mutex> g(mu_);
    return last_error_;
}

std::string PluginInstance::status_json() const {
    std::lock_guard<std::mutex> g(mu_);
    return status_json_;
}

std::map<std::string, uint64_t> PluginInstance::counters() const {
    std::lock_guard<std::mutex> g(mu_);
    return counters_metrics_;
}

std::map<std::string, int64_t> PluginInstance::gauges() const {
    std::lock_guard<std::mutex> g(mu_);
    return gauges_;
}

std::string PluginInstance::metrics_json() const {
    std::lock_guard<std::mutex> g(mu_);
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    for (auto& [k, v] : counters_metrics_) {
        w.Key(k.c_str());
        w.Uint64(v);
    }
    for (auto& [k, v] : gauges_) {
        w.Key(k.c_str());
        w.Int64(v);
    }
    w.EndObject();
    return sb.GetString();
}

void PluginInstance::release_resources(const std::string& reason, std::chrono::milliseconds drain) {
    ctx_.bus->unregister_commands(name(), reason);
    std::set<uint64_t> subs;
    {
        std::lock_guard<std::mutex> g(mu_);
        subs.swap(subscriptions_);
    }
    // Drain the subscriptions in parallel so the bound is `drain`, not n * drain.
    std::vector<std::thread> drains;
    for (uint64_t id : subs) drains.emplace_back([this, id, drain] { ctx_.bus->unsubscribe(id, drain); });
    for (auto& t : drains) t.join();
    executor_.stop();
}

bool PluginInstance::create() {
    if (!make_dirs(state_dir_, 0700)) {
        set_error("cannot create state directory " + state_dir_ + ": " + std::strerror(errno));
        return false;
    }
    state_ = nullptr;
    started_ = false;
    executor_.reopen();
    vigil_status rc;
    try {
        rc = lib_.api.create(host_api(), handle(), &state_);
    } catch (...) {
        rc = VIGIL_EINTERNAL;
    }
    if (rc != VIGIL_OK) {
        set_error(failure_text("create", rc));
        release_resources("plugin " + name() + " failed to start", std::chrono::milliseconds(0));
        if (state_) lib_.api.destroy(state_);
        state_ = nullptr;
        return false;
    }
    return true;
}

// "start failed (-3): <the plugin's last_error>", for the status and the log.
std::string PluginInstance::failure_text(const char* stage, vigil_status rc) const {
    std::string why;
    if (lib_.api.last_error) {
        const char* e = lib_.api.last_error(state_);
        why = e ? std::string(e).substr(0, VIGIL_MAX_ERRLEN) : "";
    }
    return std::string(stage) + " failed (" + std::to_string(rc) + ")" + (why.empty() ? "" : ": " + why);
}

bool PluginInstance::start() {
    vigil_status rc = VIGIL_OK;
    if (lib_.api.start) {
        try {
            rc = lib_.api.start(state_);
        } catch (...) {
            rc = VIGIL_EINTERNAL;
        }
    }
    if (rc != VIGIL_OK) {
        set_error(failure_text("start", rc));
        release_resources("plugin " + name() + " failed to start", std::chrono::milliseconds(0));
        try {
            lib_.api.stop(state_);
        } catch (...) {
        }
        destroy();
        return false;
    }
    started_ = true;
    std::set<uint64_t> subs;
    {
        std::lock_guard<std::mutex> g(mu_);
        subs = subscriptions_;
        last_error_.clear();
    }
    for (uint64_t id : subs) ctx_.bus->activate(id);
    executor_.start();
    running_ = true;
    return true;
}

void PluginInstance::stop() {
    if (!running_) return;
    auto t0 = std::chrono::steady_clock::now();
    // No new commands; what was already published to the plugin is delivered
    // (bounded), then no more deliveries or executor work once it stops.
    release_resources("plugin " + name() + " is stopping", ctx_.stop_drain);
    vigil_status rc;
    try {
        rc = lib_.api.stop(state_);
    } catch (...) {
        rc = VIGIL_EINTERNAL;
    }
    if (rc != VIGIL_OK) log_warn(name(), failure_text("stop", rc));
    running_ = false;
    started_ = false;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    log_info(name(), "stopped in " + std::to_string(ms) + " ms");
}

void PluginInstance::destroy() {
    if (!state_) return;
    try {
        lib_.api.destroy(state_);
    } catch (...) {
    }
    state_ = nullptr;
}

bool PluginInstance::reconfigure(const std::string& settings_json) {
    settings_ = settings_json;
    if (running_ && lib_.api.reconfigure) {
        vigil_status rc;
        try {
            rc = lib_.api.reconfigure(state_);
        } catch (...) {
            rc = VIGIL_EINTERNAL;
        }
        if (rc == VIGIL_OK) return true;
        log_info(name(), "reconfigure not applied in place; restarting the plugin");
    }
    stop();
    destroy();
    return create() && start();
}

}  // namespace vigil::core
