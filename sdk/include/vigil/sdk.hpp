// Vigil C++ SDK: header-only helpers over the C ABI in plugin.h / events.h.
//
// A plugin is a class derived from vigil::Plugin, exported with VIGIL_PLUGIN:
//
//   class Hello : public vigil::Plugin {
//   public:
//     explicit Hello(vigil::Host& host) : Plugin(host) {
//       host.subscribe(VIGIL_TYPE_PROCESS_START, [this](const vigil::Message& m) { ... });
//       host.on_command("hello.ping", [](const vigil::Command& c, vigil::Reply r) {
//         r.ok("{\"pong\":true}");
//       });
//     }
//     void start() override {}
//     void stop() override {}
//   };
//   VIGIL_PLUGIN(Hello, "hello", "1.0.0", "says hello", nullptr, nullptr)
//
// No exception ever crosses the boundary: every entry point catches, records
// the message for last_error(), and returns an error code; a command handler
// that throws is answered with an error reply.
#pragma once

#include <atomic>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "events.h"
#include "json_writer.hpp"
#include "plugin.h"

namespace vigil {

// ------------------------------------------------------------------ payloads

inline std::string_view str(const void* payload, vigil_sref s) {
    return s.len == 0 ? std::string_view{} : std::string_view(static_cast<const char*>(payload) + s.off, s.len);
}

// Reads a payload struct safely: fields beyond the payload's struct_size (an
// older publisher) read as zero, and a payload too short to hold its own
// struct_size yields nullopt-like `valid == false`.
template <class T>
struct PayloadView {
    T head{};
    const void* base = nullptr;
    uint32_t size = 0;
    bool valid = false;
    std::string_view str(vigil_sref s) const {
        if (s.len == 0 || uint64_t(s.off) + s.len > size) return {};
        return std::string_view(static_cast<const char*>(base) + s.off, s.len);
    }
    const T* operator->() const { return &head; }
};

template <class T>
PayloadView<T> view(const void* payload, uint32_t payload_size) {
    PayloadView<T> v;
    v.base = payload;
    v.size = payload_size;
    if (payload == nullptr || payload_size < sizeof(uint32_t)) return v;
    uint32_t declared;
    std::memcpy(&declared, payload, sizeof declared);
    uint32_t n = std::min<uint32_t>({declared, payload_size, uint32_t(sizeof(T))});
    std::memcpy(&v.head, payload, n);
    v.valid = declared >= sizeof(uint32_t) && declared <= payload_size;
    return v;
}

// Owning C++ form of vigil_process_ctx.
struct ProcessInfo {
    uint32_t flags = 0;
    uint32_t hash_status = VIGIL_HASH_NONE;  // vigil_hash_status
    int32_t pid = 0, ppid = 0;
    uint32_t uid = 0, euid = 0, gid = 0, egid = 0;
    uint64_t start_time_ns = 0, process_key = 0;
    uint64_t mnt_ns = 0, pid_ns = 0, net_ns = 0, user_ns = 0;
    std::vector<std::string> argv;
    std::string exe, cmdline, cwd, user, sha256, parent_exe, parent_cmdline, container_id, tty, comm;
};

// Builds a flat payload of head type T followed by its strings.
// Because add() may grow (move) the buffer, always reach the head through
// head(): `b.head().path = b.add(p);` is safe in C++17 (right side first).
template <class T>
class PayloadBuilder {
public:
    PayloadBuilder() : buf_(sizeof(T), 0) {
        head().struct_size = sizeof(T);
        buf_.reserve(sizeof(T) + 512);
    }
    T& head() { return *reinterpret_cast<T*>(buf_.data()); }
    vigil_sref add(std::string_view s) {
        if (s.empty()) return {0, 0};
        vigil_sref r{uint32_t(buf_.size()), uint32_t(s.size())};
        buf_.insert(buf_.end(), s.begin(), s.end());
        buf_.push_back('\0');
        return r;
    }
    void set(vigil_sref T::*field, std::string_view s) {
        auto r = add(s);
        head().*field = r;
    }
    // Fills an embedded vigil_process_ctx member from a ProcessInfo.
    void set_process(vigil_process_ctx T::*field, const ProcessInfo& p) {
        vigil_process_ctx c{};
        c.struct_size = sizeof(vigil_process_ctx);
        c.flags = p.flags;
        c.pid = p.pid;
        c.ppid = p.ppid;
        c.uid = p.uid;
        c.euid = p.euid;
        c.gid = p.gid;
        c.egid = p.egid;
        c.start_time_ns = p.start_time_ns;
        c.process_key = p.process_key;
        c.mnt_ns = p.mnt_ns;
        c.pid_ns = p.pid_ns;
        c.net_ns = p.net_ns;
        c.user_ns = p.user_ns;
        c.argc = uint32_t(p.argv.size());
        c.hash_status = p.hash_status;
        std::string argv;
        for (const auto& a : p.argv) {
            argv += a;
            argv.push_back('\0');
        }
        c.argv = add(argv);
        c.exe = add(p.exe);
        c.cmdline = add(p.cmdline);
        c.cwd = add(p.cwd);
        c.user = add(p.user);
        c.sha256 = add(p.sha256);
        c.parent_exe = add(p.parent_exe);
        c.parent_cmdline = add(p.parent_cmdline);
        c.container_id = add(p.container_id);
        c.tty = add(p.tty);
        c.comm = add(p.comm);
        head().*field = c;
    }
    const void* data() const { return buf_.data(); }
    uint32_t size() const { return uint32_t(buf_.size()); }

private:
    std::vector<char> buf_;
};

inline ProcessInfo read_process(const void* base, uint32_t size, const vigil_process_ctx& c) {
    auto s = [&](vigil_sref r) -> std::string {
        if (r.len == 0 || uint64_t(r.off) + r.len > size) return {};
        return std::string(static_cast<const char*>(base) + r.off, r.len);
    };
    ProcessInfo p;
    if (c.struct_size == 0) return p;
    p.flags = c.flags;
    p.hash_status = c.hash_status;
    p.pid = c.pid;
    p.ppid = c.ppid;
    p.uid = c.uid;
    p.euid = c.euid;
    p.gid = c.gid;
    p.egid = c.egid;
    p.start_time_ns = c.start_time_ns;
    p.process_key = c.process_key;
    p.mnt_ns = c.mnt_ns;
    p.pid_ns = c.pid_ns;
    p.net_ns = c.net_ns;
    p.user_ns = c.user_ns;
    std::string argv = s(c.argv);
    for (size_t pos = 0; pos < argv.size();) {
        size_t end = argv.find('\0', pos);
        if (end == std::string::npos) end = argv.size();
        p.argv.emplace_back(argv, pos, end - pos);
        pos = end + 1;
    }
    p.exe = s(c.exe);
    p.cmdline = s(c.cmdline);
    p.cwd = s(c.cwd);
    p.user = s(c.user);
    p.sha256 = s(c.sha256);
    p.parent_exe = s(c.parent_exe);
    p.parent_cmdline = s(c.parent_cmdline);
    p.container_id = s(c.container_id);
    p.tty = s(c.tty);
    p.comm = s(c.comm);
    return p;
}

// Name of a vigil_hash_status value ("unknown" for values this header does not know).
inline const char* hash_status_name(uint32_t status) {
    static const char* const kNames[] = {"none",        "ok",      "pending", "too_large", "remote_fs", "not_regular",
                                         "timeout",     "exited",  "error",   "busy",      "disabled"};
    return status < sizeof kNames / sizeof kNames[0] ? kNames[status] : "unknown";
}

// ------------------------------------------------------------------ messages

// A received message (borrowed for the duration of the callback).
struct Message {
    const vigil_message* raw;
    uint32_t type() const { return raw->type_id; }
    uint64_t sequence() const { return raw->sequence; }
    uint64_t timestamp_ns() const { return raw->timestamp_ns; }
    std::string_view source() const { return {raw->source, raw->source_len}; }
    const void* payload() const { return raw->payload; }
    uint32_t payload_size() const { return raw->payload_size; }
    template <class T>
    PayloadView<T> as() const { return view<T>(raw->payload, raw->payload_size); }
};

struct Command {
    uint64_t correlation_id = 0;
    uint64_t deadline_ns = 0;
    std::string_view name, args_json, origin;
};

struct CommandResult {
    vigil_status status = VIGIL_OK;
    std::string_view name, result_json, error;
    uint64_t correlation_id = 0;
    bool ok() const { return status == VIGIL_OK; }
};

// Answers one command exactly once; later calls are ignored. Copyable and
// safe to move to another thread for asynchronous work.
class Reply {
public:
    Reply(const vigil_host_api* api, vigil_host_handle* h, uint64_t corr)
        : api_(api), h_(h), corr_(corr), done_(std::make_shared<std::atomic<bool>>(false)) {}
    bool ok(std::string_view result_json = "{}") { return send(VIGIL_OK, result_json, {}); }
    bool error(vigil_status status, std::string_view message, std::string_view result_json = {}) {
        return send(status == VIGIL_OK ? VIGIL_EFAILED : status, result_json, message);
    }
    bool replied() const { return done_->load(); }
    uint64_t correlation_id() const { return corr_; }

private:
    bool send(vigil_status st, std::string_view result, std::string_view err) {
        if (done_->exchange(true)) return false;
        return api_->reply(h_, corr_, st, result.data(), uint32_t(result.size()), err.data(),
                           uint32_t(err.size())) == VIGIL_OK;
    }
    const vigil_host_api* api_;
    vigil_host_handle* h_;
    uint64_t corr_;
    std::shared_ptr<std::atomic<bool>> done_;
};

// ---------------------------------------------------------------------- host

class Host {
public:
    using MessageFn = std::function<void(const Message&)>;
    using CommandFn = std::function<void(const Command&, Reply)>;
    using ReplyFn = std::function<void(const CommandResult&)>;
    using TaskFn = std::function<void()>;

    Host(const vigil_host_api* api, vigil_host_handle* h) : api_(api), h_(h) {}
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    const vigil_host_api* api() const { return api_; }
    vigil_host_handle* handle() const { return h_; }

    void log(vigil_log_level level, std::string_view msg) const {
        api_->log(h_, level, msg.data(), uint32_t(msg.size()));
    }
    void info(std::string_view m) const { log(VIGIL_LOG_INFO, m); }
    void warn(std::string_view m) const { log(VIGIL_LOG_WARN, m); }
    void error(std::string_view m) const { log(VIGIL_LOG_ERROR, m); }
    void debug(std::string_view m) const { log(VIGIL_LOG_DEBUG, m); }

    vigil_status publish(uint32_t type, const void* payload, uint32_t size, uint64_t correlation_id = 0,
                         uint16_t schema_version = 1) const {
        vigil_message m{};
        m.struct_size = sizeof m;
        m.type_id = type;
        m.schema_version = schema_version;
        m.payload = payload;
        m.payload_size = size;
        m.correlation_id = correlation_id;
        return api_->publish(h_, &m);
    }
    template <class T>
    vigil_status publish(uint32_t type, const PayloadBuilder<T>& b, uint64_t correlation_id = 0) const {
        return publish(type, b.data(), b.size(), correlation_id);
    }

    uint64_t subscribe(uint32_t type, MessageFn fn, uint32_t capacity = 0,
                       vigil_overflow_policy policy = VIGIL_OVERFLOW_DROP_OLDEST) {
        auto* holder = keep(std::make_unique<MessageFn>(std::move(fn)));
        vigil_subscribe_options o{};
        o.struct_size = sizeof o;
        o.queue_capacity = capacity;
        o.overflow_policy = policy;
        uint64_t id = 0;
        vigil_status st = api_->subscribe(h_, type, &o, &Host::on_message, holder, &id);
        if (st != VIGIL_OK) throw std::runtime_error("subscribe to type " + std::to_string(type) + " failed");
        return id;
    }
    void unsubscribe(uint64_t id) { api_->unsubscribe(h_, id); }

    uint32_t register_type(std::string_view name) {
        uint32_t id = 0;
        if (api_->register_type(h_, name.data(), uint32_t(name.size()), &id) != VIGIL_OK)
            throw std::runtime_error("register_type failed: " + std::string(name));
        return id;
    }

    // Handles command `name` ("<plugin>.<verb>"). Runs on the executor.
    void on_command(std::string_view name, CommandFn fn) {
        struct Ctx {
            CommandFn fn;
            Host* host;
        };
        auto* ctx = keep(std::make_unique<Ctx>(Ctx{std::move(fn), this}));
        vigil_status st = api_->register_command(
            h_, name.data(), uint32_t(name.size()),
            [](void* user, const vigil_message* m) {
                auto* c = static_cast<Ctx*>(user);
                Reply r(c->host->api_, c->host->h_, m->correlation_id);
                try {
                    auto v = view<vigil_command>(m->payload, m->payload_size);
                    Command cmd;
                    cmd.correlation_id = m->correlation_id;
                    cmd.deadline_ns = v->deadline_ns;
                    cmd.name = v.str(v->name);
                    cmd.args_json = v.str(v->args_json);
                    cmd.origin = v.str(v->origin);
                    c->fn(cmd, r);
                } catch (const std::exception& e) {
                    r.error(VIGIL_EINTERNAL, e.what());
                } catch (...) {
                    r.error(VIGIL_EINTERNAL, "unknown exception in command handler");
                }
            },
            ctx);
        if (st != VIGIL_OK) throw std::runtime_error("register_command failed: " + std::string(name));
    }

    // Sends a command; fn runs exactly once on this plugin's executor. A
    // non-empty `origin` (e.g. "task:42") is what the handler sees as the
    // command's origin; it needs a 1.2 host and is ignored by older ones.
    uint64_t send_command(std::string_view name, std::string_view args_json, uint32_t timeout_ms, ReplyFn fn,
                          std::string_view origin = {}) {
        auto* heap = new ReplyFn(std::move(fn));  // freed by the one reply
        uint64_t corr = 0;
        vigil_reply_cb on_reply = [](void* user, const vigil_message* m) {
                std::unique_ptr<ReplyFn> f(static_cast<ReplyFn*>(user));
                auto v = view<vigil_command_result>(m->payload, m->payload_size);
                CommandResult r;
                r.status = v->status;
                r.name = v.str(v->name);
                r.result_json = v.str(v->result_json);
                r.error = v.str(v->error);
                r.correlation_id = m->correlation_id;
                try {
                    (*f)(r);
                } catch (...) {
                }
        };
        vigil_status st;
        if (!origin.empty() && VIGIL_HAS_FIELD(api_, vigil_host_api, send_command_as) && api_->send_command_as)
            st = api_->send_command_as(h_, name.data(), uint32_t(name.size()), args_json.data(),
                                       uint32_t(args_json.size()), timeout_ms, origin.data(), uint32_t(origin.size()),
                                       on_reply, heap, &corr);
        else
            st = api_->send_command(h_, name.data(), uint32_t(name.size()), args_json.data(),
                                    uint32_t(args_json.size()), timeout_ms, on_reply, heap, &corr);
        if (st != VIGIL_OK) {
            // The host promises the callback only when send_command succeeds.
            delete heap;
            throw std::runtime_error("send_command failed: " + std::string(name));
        }
        return corr;
    }

    void counter_add(std::string_view name, uint64_t delta = 1) const {
        api_->counter_add(h_, name.data(), uint32_t(name.size()), delta);
    }
    void gauge_set(std::string_view name, int64_t v) const { api_->gauge_set(h_, name.data(), uint32_t(name.size()), v); }

    uint64_t timer(uint32_t interval_ms, bool repeat, TaskFn fn) {
        auto* holder = keep(std::make_unique<TaskFn>(std::move(fn)));
        uint64_t id = 0;
        if (api_->timer_start(h_, interval_ms, repeat ? 1 : 0, &Host::on_task, holder, &id) != VIGIL_OK)
            throw std::runtime_error("timer_start failed");
        return id;
    }
    void cancel_timer(uint64_t id) { api_->timer_cancel(h_, id); }

    void post(TaskFn fn) {
        auto* heap = new TaskFn(std::move(fn));
        if (api_->post(h_, [](void* u) {
                std::unique_ptr<TaskFn> f(static_cast<TaskFn*>(u));
                try {
                    (*f)();
                } catch (...) {
                }
            }, heap) != VIGIL_OK)
            delete heap;
    }

    std::string config_json() const {
        uint32_t n = 0;
        const char* p = api_->config_json(h_, &n);
        return p ? std::string(p, n) : std::string("{}");
    }
    std::string agent_config_json() const {
        uint32_t n = 0;
        const char* p = api_->agent_config_json(h_, &n);
        return p ? std::string(p, n) : std::string("{}");
    }
    std::string state_dir() const {
        const char* p = api_->state_dir(h_);
        return p ? p : "";
    }
    struct Identity {
        std::string agent_id, hostname, agent_version;
    };
    Identity identity() const {
        vigil_agent_identity id{};
        id.struct_size = sizeof id;
        Identity out;
        if (api_->agent_identity(h_, &id) == VIGIL_OK) {
            out.agent_id = id.agent_id ? id.agent_id : "";
            out.hostname = id.hostname ? id.hostname : "";
            out.agent_version = id.agent_version ? id.agent_version : "";
        }
        return out;
    }
    void set_status(std::string_view json) const { api_->set_status_json(h_, json.data(), uint32_t(json.size())); }
    std::string host_status() const {
        std::string out;
        api_->host_status_json(h_, [](void* u, const char* d, uint32_t n) { static_cast<std::string*>(u)->assign(d, n); },
                               &out);
        return out;
    }
    // Puts a file into the agent's quarantine/backup store; returns the entry
    // JSON, throws with the host's reason on failure.
    std::string quarantine_put(std::string_view path, std::string_view meta_json, bool keep_original) {
        std::string out;
        vigil_status st = api_->quarantine_put(
            h_, path.data(), uint32_t(path.size()), meta_json.data(), uint32_t(meta_json.size()),
            keep_original ? VIGIL_QUARANTINE_COPY : VIGIL_QUARANTINE_MOVE,
            [](void* u, const char* d, uint32_t n) { static_cast<std::string*>(u)->assign(d, n); }, &out);
        if (st != VIGIL_OK) throw std::runtime_error(out.empty() ? "quarantine failed: " + std::string(path) : out);
        return out;
    }
    // The same for the object the plugin judged: `name` in the directory
    // `dir_fd` (opened without following symbolic links, or held since the
    // event), acted on only while it matches `expect` (see plugin.h). Needs a
    // 1.3 host; throws on an older one rather than falling back to the path.
    std::string quarantine_put_at(int dir_fd, std::string_view name, std::string_view path,
                                  const vigil_file_identity& expect, std::string_view meta_json, bool keep_original) {
        if (!VIGIL_HAS_FIELD(api_, vigil_host_api, quarantine_put_at) || !api_->quarantine_put_at)
            throw std::runtime_error("the host is older than ABI 1.3 and cannot quarantine by descriptor");
        std::string out;
        vigil_status st = api_->quarantine_put_at(
            h_, dir_fd, name.data(), uint32_t(name.size()), path.data(), uint32_t(path.size()), &expect,
            meta_json.data(), uint32_t(meta_json.size()), keep_original ? VIGIL_QUARANTINE_COPY : VIGIL_QUARANTINE_MOVE,
            [](void* u, const char* d, uint32_t n) { static_cast<std::string*>(u)->assign(d, n); }, &out);
        if (st != VIGIL_OK) throw std::runtime_error(out.empty() ? "quarantine failed: " + std::string(path) : out);
        return out;
    }

private:
    static void on_message(void* user, const vigil_message* m) {
        try {
            (*static_cast<MessageFn*>(user))(Message{m});
        } catch (...) {
        }
    }
    static void on_task(void* user) {
        try {
            (*static_cast<TaskFn*>(user))();
        } catch (...) {
        }
    }
    template <class T>
    T* keep(std::unique_ptr<T> p) {
        T* raw = p.get();
        std::lock_guard<std::mutex> g(mu_);
        owned_.emplace_back(p.release(), [](void* q) { delete static_cast<T*>(q); });
        return raw;
    }

    const vigil_host_api* api_;
    vigil_host_handle* h_;
    std::mutex mu_;
    std::vector<std::unique_ptr<void, void (*)(void*)>> owned_;
};

// -------------------------------------------------------------------- plugin

class Plugin {
public:
    explicit Plugin(Host& host) : host_(host) {}
    virtual ~Plugin() = default;
    virtual void start() {}
    virtual void stop() {}
    // Apply host().config_json() while running; return false to ask the host
    // for a restart of the instance instead.
    virtual bool reconfigure() { return false; }
    Host& host() { return host_; }

private:
    Host& host_;
};

namespace detail {

struct Instance {
    std::unique_ptr<Host> host;
    std::unique_ptr<Plugin> plugin;
    std::string last_error;
};

inline thread_local std::string create_error;

template <class F>
vigil_status guarded(Instance* inst, F&& f) {
    try {
        f();
        return VIGIL_OK;
    } catch (const std::exception& e) {
        if (inst) inst->last_error = e.what();
    } catch (...) {
        if (inst) inst->last_error = "unknown exception";
    }
    return VIGIL_EFAILED;
}

template <class P>
struct Adapter {
    static vigil_status create(const vigil_host_api* api, vigil_host_handle* h, vigil_plugin_state** out) {
        auto* inst = new (std::nothrow) Instance;
        if (!inst) return VIGIL_ENOMEM;
        *out = reinterpret_cast<vigil_plugin_state*>(inst);
        return guarded(inst, [&] {
            inst->host = std::make_unique<Host>(api, h);
            inst->plugin = std::make_unique<P>(*inst->host);
        });
    }
    static Instance* I(vigil_plugin_state* s) { return reinterpret_cast<Instance*>(s); }
    static vigil_status start(vigil_plugin_state* s) {
        auto* i = I(s);
        if (!i || !i->plugin) return VIGIL_ESTATE;
        return guarded(i, [&] { i->plugin->start(); });
    }
    static vigil_status stop(vigil_plugin_state* s) {
        auto* i = I(s);
        if (!i || !i->plugin) return VIGIL_OK;
        return guarded(i, [&] { i->plugin->stop(); });
    }
    static vigil_status reconfigure(vigil_plugin_state* s) {
        auto* i = I(s);
        if (!i || !i->plugin) return VIGIL_ESTATE;
        bool applied = false;
        vigil_status st = guarded(i, [&] { applied = i->plugin->reconfigure(); });
        if (st != VIGIL_OK) return st;
        if (!applied) {
            i->last_error = "plugin asks for a restart to apply settings";
            return VIGIL_EUNSUPPORTED;
        }
        return VIGIL_OK;
    }
    static void destroy(vigil_plugin_state* s) {
        auto* i = I(s);
        if (!i) return;
        try {
            i->plugin.reset();
        } catch (...) {
        }
        delete i;
    }
    static const char* last_error(vigil_plugin_state* s) {
        auto* i = I(s);
        return i ? i->last_error.c_str() : create_error.c_str();
    }
    static const vigil_plugin_api* table() {
        static const vigil_plugin_api api = {sizeof(vigil_plugin_api), 0, &create, &start, &stop,
                                             &reconfigure, &destroy, &last_error};
        return &api;
    }
};

}  // namespace detail
}  // namespace vigil

// Exports the entry symbol for plugin class CLASS. REQUIRES is a
// comma-separated list of plugin names or nullptr; SCHEMA a JSON Schema string
// or nullptr. The plugin needs ABI minor 1 or newer of major 1 (it may use
// quarantine_put).
#define VIGIL_PLUGIN(CLASS, NAME, VERSION, DESCRIPTION, REQUIRES, SCHEMA)                          \
    extern "C" VIGIL_EXPORT const vigil_plugin_info* vigil_plugin_entry(const vigil_host_info*) { \
        static const vigil_plugin_info info = {sizeof(vigil_plugin_info),                         \
                                               VIGIL_ABI_MAJOR,                                   \
                                               1,                                                 \
                                               VIGIL_ABI_MINOR,                                   \
                                               NAME,                                              \
                                               VERSION,                                           \
                                               DESCRIPTION,                                       \
                                               REQUIRES,                                          \
                                               SCHEMA,                                            \
                                               ::vigil::detail::Adapter<CLASS>::table(),          \
                                               "Apache-2.0",                                      \
                                               nullptr};                                          \
        return &info;                                                                             \
    }
