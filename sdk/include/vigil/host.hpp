// Vigil C++ SDK: the host's services (vigil_host_api) as a C++ class.
//
// Callbacks given to Host run on host threads (see plugin.h, THREADING). An
// exception escaping one of them never crosses the boundary: it is logged at
// error level with where it happened and counted in the plugin's
// `callback_exceptions` counter; a command handler that throws is also
// answered with VIGIL_EINTERNAL and the exception's message.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "events.h"
#include "message.hpp"
#include "payload.hpp"
#include "plugin.h"

namespace vigil {

class Host;

namespace detail {
// The callback holder running on this thread (nullptr outside callbacks), and
// the Host whose executor this thread is running a callback for.
inline thread_local const void* running_callback = nullptr;
inline thread_local const Host* running_executor_of = nullptr;

struct CallbackScope {
    const void* saved_cb;
    const Host* saved_host;
    CallbackScope(const void* cb, const Host* executor_of)
        : saved_cb(running_callback), saved_host(running_executor_of) {
        running_callback = cb;
        if (executor_of) running_executor_of = executor_of;
    }
    ~CallbackScope() {
        running_callback = saved_cb;
        running_executor_of = saved_host;
    }
};
}  // namespace detail

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

    // ------------------------------------------------------------ logging
    void log(vigil_log_level level, std::string_view msg) const {
        api_->log(h_, level, msg.data(), uint32_t(msg.size()));
    }
    void info(std::string_view m) const { log(VIGIL_LOG_INFO, m); }
    void warn(std::string_view m) const { log(VIGIL_LOG_WARN, m); }
    void error(std::string_view m) const { log(VIGIL_LOG_ERROR, m); }
    void debug(std::string_view m) const { log(VIGIL_LOG_DEBUG, m); }

    // Logs "<where> threw: <what>" and counts it in callback_exceptions.
    void report_exception(std::string_view where, std::string_view what) const {
        error(std::string(where) + " threw: " + std::string(what));
        counter_add("callback_exceptions");
    }
    // Runs fn; an exception is reported (never rethrown). Returns false then.
    template <class F>
    bool guarded(std::string_view where, F&& fn) const {
        try {
            fn();
            return true;
        } catch (const std::exception& e) {
            report_exception(where, e.what());
        } catch (...) {
            report_exception(where, "an exception that is not a std::exception");
        }
        return false;
    }

    // ---------------------------------------------------------------- bus
    vigil_status publish(uint32_t type, const void* payload, uint32_t size, uint64_t correlation_id = 0,
                         uint16_t schema_version = 1) const {
        const vigil_message m = envelope(type, payload, size, correlation_id, schema_version);
        return api_->publish(h_, &m);
    }
    template <class T>
    vigil_status publish(uint32_t type, const PayloadBuilder<T>& b, uint64_t correlation_id = 0) const {
        return publish(type, b.data(), b.size(), correlation_id);
    }

    // fn runs on this subscription's delivery thread. Throws when the host refuses.
    uint64_t subscribe(uint32_t type, MessageFn fn, uint32_t capacity = 0,
                       vigil_overflow_policy policy = VIGIL_OVERFLOW_DROP_OLDEST) {
        auto holder = std::make_unique<Holder<MessageFn>>(Holder<MessageFn>{std::move(fn), this});
        vigil_subscribe_options o{};
        o.struct_size = sizeof o;
        o.queue_capacity = capacity;
        o.overflow_policy = policy;
        uint64_t id = 0;
        // No lock across the host call: the holder stays alive in `holder`
        // until it is stored, and nobody knows the id before that.
        vigil_status st = api_->subscribe(h_, type, &o, &Host::on_message, holder.get(), &id);
        if (st != VIGIL_OK) throw std::runtime_error("subscribe to type " + std::to_string(type) + " failed");
        std::lock_guard<std::mutex> g(mu_);
        subscriptions_[id] = std::move(holder);
        return id;
    }
    // After it returns the callback no longer runs and its state is freed
    // (from inside the callback itself, freed when the plugin is destroyed).
    void unsubscribe(uint64_t id) {
        api_->unsubscribe(h_, id);
        std::unique_ptr<Holder<MessageFn>> holder;
        std::lock_guard<std::mutex> g(mu_);
        auto it = subscriptions_.find(id);
        if (it == subscriptions_.end()) return;
        holder = std::move(it->second);
        subscriptions_.erase(it);
        if (detail::running_callback == holder.get()) retired_.push_back(std::move(holder));
    }

    uint32_t register_type(std::string_view name) {
        uint32_t id = 0;
        if (api_->register_type(h_, name.data(), uint32_t(name.size()), &id) != VIGIL_OK)
            throw std::runtime_error("register_type failed: " + std::string(name));
        return id;
    }

    // ----------------------------------------------------------- commands
    // Handles command `name` ("<plugin>.<verb>"). Runs on the executor.
    void on_command(std::string_view name, CommandFn fn) {
        auto holder = std::make_unique<Holder<CommandFn>>(Holder<CommandFn>{std::move(fn), this});
        vigil_status st = api_->register_command(h_, name.data(), uint32_t(name.size()), &Host::on_command_message,
                                                 holder.get());
        if (st != VIGIL_OK) throw std::runtime_error("register_command failed: " + std::string(name));
        std::lock_guard<std::mutex> g(mu_);
        handlers_.push_back(std::move(holder));
    }

    // Sends a command; fn runs exactly once on this plugin's executor. A
    // non-empty `origin` (e.g. "task:42") is what the handler sees as the
    // command's origin; it needs a 1.2 host and is ignored by older ones.
    uint64_t send_command(std::string_view name, std::string_view args_json, uint32_t timeout_ms, ReplyFn fn,
                          std::string_view origin = {}) {
        // Freed by the one reply, or by ~Host when the host discarded it (the
        // plugin stopped first).
        auto* heap = adopt(pending_replies_, new Holder<ReplyFn>{std::move(fn), this});
        uint64_t corr = 0;
        vigil_status st;
        if (!origin.empty() && VIGIL_HAS_FIELD(api_, vigil_host_api, send_command_as) && api_->send_command_as)
            st = api_->send_command_as(h_, name.data(), uint32_t(name.size()), args_json.data(),
                                       uint32_t(args_json.size()), timeout_ms, origin.data(), uint32_t(origin.size()),
                                       &Host::on_reply, heap, &corr);
        else
            st = api_->send_command(h_, name.data(), uint32_t(name.size()), args_json.data(),
                                    uint32_t(args_json.size()), timeout_ms, &Host::on_reply, heap, &corr);
        if (st != VIGIL_OK) {
            // The host promises the callback only when send_command succeeds.
            take(pending_replies_, heap);
            throw std::runtime_error("send_command failed: " + std::string(name));
        }
        return corr;
    }

    // Sends a command and blocks until its reply, the timeout, or `cancel`
    // (checked every 100 ms; a cancelled wait returns VIGIL_ETIMEDOUT with
    // error "cancelled"). For worker threads only: the reply is delivered on
    // the executor, so calling this there would wait forever — it throws.
    OwnedCommandResult send_command_wait(std::string_view name, std::string_view args_json, uint32_t timeout_ms,
                                         const std::atomic<bool>* cancel = nullptr, std::string_view origin = {}) {
        if (detail::running_executor_of == this)
            throw std::logic_error("send_command_wait called on the executor thread");
        struct Wait {
            std::mutex mu;
            std::condition_variable cv;
            bool done = false;
            OwnedCommandResult result;
        };
        auto w = std::make_shared<Wait>();
        send_command(
            name, args_json, timeout_ms,
            [w](const CommandResult& r) {
                std::lock_guard<std::mutex> g(w->mu);
                w->result = OwnedCommandResult{r.status, std::string(r.name), std::string(r.result_json),
                                               std::string(r.error), r.correlation_id};
                w->done = true;
                w->cv.notify_all();
            },
            origin);
        std::unique_lock<std::mutex> lk(w->mu);
        while (!w->done) {
            if (cancel && cancel->load()) return OwnedCommandResult{VIGIL_ETIMEDOUT, std::string(name), {}, "cancelled"};
            w->cv.wait_for(lk, std::chrono::milliseconds(100));
        }
        return w->result;
    }

    // ------------------------------------------------------------ metrics
    void counter_add(std::string_view name, uint64_t delta = 1) const {
        api_->counter_add(h_, name.data(), uint32_t(name.size()), delta);
    }
    void gauge_set(std::string_view name, int64_t v) const { api_->gauge_set(h_, name.data(), uint32_t(name.size()), v); }

    // ------------------------------------------------- timers and executor
    // fn runs on the executor after interval_ms (then every interval_ms when repeat).
    uint64_t timer(uint32_t interval_ms, bool repeat, TaskFn fn) {
        auto holder = std::make_unique<TimerHolder>(TimerHolder{{std::move(fn), this}, repeat, false});
        uint64_t id = 0;
        if (api_->timer_start(h_, interval_ms, repeat ? 1 : 0, &Host::on_timer, holder.get(), &id) != VIGIL_OK)
            throw std::runtime_error("timer_start failed");
        std::lock_guard<std::mutex> g(mu_);
        // A one-shot timer that already fired (tiny interval) is done.
        if (!holder->fired) timers_[id] = std::move(holder);
        return id;
    }
    // After it returns the timer does not fire again. A callback running on
    // the executor right now finishes first; its state is freed after it.
    void cancel_timer(uint64_t id) {
        api_->timer_cancel(h_, id);
        std::unique_ptr<TimerHolder> t;
        {
            std::lock_guard<std::mutex> g(mu_);
            auto it = timers_.find(id);
            if (it == timers_.end()) return;
            t = std::move(it->second);
            timers_.erase(it);
        }
        // On the executor, outside this timer's own callback, it cannot be running.
        if (detail::running_executor_of == this && detail::running_callback != t.get()) return;
        TimerHolder* raw = t.get();
        {
            std::lock_guard<std::mutex> g(mu_);
            retired_timers_[raw] = std::move(t);
        }
        post([this, raw] {
            std::lock_guard<std::mutex> g(mu_);
            retired_timers_.erase(raw);
        });
    }

    // Runs fn once on the executor, as soon as possible. False after stop.
    // Work the host discards unrun (the executor stopped) is freed by ~Host.
    bool post(TaskFn fn) {
        auto* heap = adopt(pending_posts_, new Holder<TaskFn>{std::move(fn), this});
        if (api_->post(h_, &Host::on_posted, heap) == VIGIL_OK) return true;
        take(pending_posts_, heap);
        return false;
    }

    // -------------------------------------------- configuration, identity
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
    // This plugin's own state directory (created, mode 0700).
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
        api_->host_status_json(h_, assign, &out);
        return out;
    }
    // Puts a file into the agent's quarantine/backup store; returns the entry
    // JSON, throws with the host's reason on failure.
    std::string quarantine_put(std::string_view path, std::string_view meta_json, bool keep_original) {
        std::string out;
        return quarantined(api_->quarantine_put(h_, path.data(), uint32_t(path.size()), meta_json.data(),
                                                uint32_t(meta_json.size()), move_or_copy(keep_original), assign, &out),
                           out, path);
    }
    // The same for the object the plugin judged: `name` in the directory
    // `dir_fd` (opened without following symbolic links, or held since the
    // event), acted on only while it matches `expect` (see host_api.h). Needs a
    // 1.3 host; throws on an older one rather than falling back to the path.
    std::string quarantine_put_at(int dir_fd, std::string_view name, std::string_view path,
                                  const vigil_file_identity& expect, std::string_view meta_json, bool keep_original) {
        if (!VIGIL_HAS_FIELD(api_, vigil_host_api, quarantine_put_at) || !api_->quarantine_put_at)
            throw std::runtime_error("the host is older than ABI 1.3 and cannot quarantine by descriptor");
        std::string out;
        return quarantined(api_->quarantine_put_at(h_, dir_fd, name.data(), uint32_t(name.size()), path.data(),
                                                   uint32_t(path.size()), &expect, meta_json.data(),
                                                   uint32_t(meta_json.size()), move_or_copy(keep_original), assign, &out),
                           out, path);
    }

private:
    static void assign(void* u, const char* d, uint32_t n) { static_cast<std::string*>(u)->assign(d, n); }
    static uint32_t move_or_copy(bool keep_original) { return keep_original ? VIGIL_QUARANTINE_COPY : VIGIL_QUARANTINE_MOVE; }
    static std::string quarantined(vigil_status st, std::string& out, std::string_view path) {
        if (st != VIGIL_OK) throw std::runtime_error(out.empty() ? "quarantine failed: " + std::string(path) : out);
        return std::move(out);
    }
    template <class Fn>
    struct Holder {
        Fn fn;
        Host* host;
    };
    struct TimerHolder {
        Holder<TaskFn> task;
        bool repeat;
        bool fired;  // one-shot only; guarded by mu_
    };

    static void on_message(void* user, const vigil_message* m) {
        auto* h = static_cast<Holder<MessageFn>*>(user);
        detail::CallbackScope scope(h, nullptr);
        h->host->guarded("message callback", [&] { h->fn(Message{m}); });
    }
    static void on_command_message(void* user, const vigil_message* m) {
        auto* c = static_cast<Holder<CommandFn>*>(user);
        detail::CallbackScope scope(c, c->host);
        Reply r(c->host->api_, c->host->h_, m->correlation_id);
        auto v = view<vigil_command>(m->payload, m->payload_size);
        Command cmd{m->correlation_id, v->deadline_ns, v.str(v->name), v.str(v->args_json), v.str(v->origin)};
        std::string failure;
        try {
            c->fn(cmd, r);
            return;
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) {
            failure = "unknown exception in command handler";
        }
        c->host->report_exception("handler of " + std::string(cmd.name), failure);
        r.error(VIGIL_EINTERNAL, failure);
    }
    static void on_reply(void* user, const vigil_message* m) {
        auto* raw = static_cast<Holder<ReplyFn>*>(user);
        std::unique_ptr<Holder<ReplyFn>> f = raw->host->take(raw->host->pending_replies_, raw);
        if (!f) return;
        detail::CallbackScope scope(f.get(), f->host);
        auto v = view<vigil_command_result>(m->payload, m->payload_size);
        CommandResult r{v->status, v.str(v->name), v.str(v->result_json), v.str(v->error), m->correlation_id};
        f->host->guarded("reply callback of " + std::string(r.name), [&] { f->fn(r); });
    }
    static void on_timer(void* user) {
        auto* t = static_cast<TimerHolder*>(user);
        Host* host = t->task.host;
        {
            detail::CallbackScope scope(t, host);
            host->guarded("timer callback", t->task.fn);
        }
        if (!t->repeat) host->forget_one_shot(t);
    }
    // Frees a one-shot timer after it ran (unless cancel_timer took it, or
    // timer() has not stored it yet — then timer() drops it).
    void forget_one_shot(TimerHolder* t) {
        std::unique_ptr<TimerHolder> done;
        std::lock_guard<std::mutex> g(mu_);
        for (auto it = timers_.begin(); it != timers_.end(); ++it)
            if (it->second.get() == t) {
                done = std::move(it->second);
                timers_.erase(it);
                return;
            }
        t->fired = true;
    }
    static void on_posted(void* user) {
        auto* raw = static_cast<Holder<TaskFn>*>(user);
        std::unique_ptr<Holder<TaskFn>> f = raw->host->take(raw->host->pending_posts_, raw);
        if (!f) return;
        detail::CallbackScope scope(f.get(), f->host);
        f->host->guarded("posted task", f->fn);
    }

    const vigil_host_api* api_;
    vigil_host_handle* h_;
    mutable std::mutex mu_;
    std::unordered_map<uint64_t, std::unique_ptr<Holder<MessageFn>>> subscriptions_;
    std::vector<std::unique_ptr<Holder<MessageFn>>> retired_;
    std::vector<std::unique_ptr<Holder<CommandFn>>> handlers_;
    std::unordered_map<uint64_t, std::unique_ptr<TimerHolder>> timers_;
    std::unordered_map<TimerHolder*, std::unique_ptr<TimerHolder>> retired_timers_;
    // Callbacks handed to the host and not yet called back.
    template <class T>
    using Pending = std::unordered_map<T*, std::unique_ptr<T>>;
    Pending<Holder<TaskFn>> pending_posts_;
    Pending<Holder<ReplyFn>> pending_replies_;

    template <class T>
    T* adopt(Pending<T>& pending, T* raw) {
        std::lock_guard<std::mutex> g(mu_);
        pending[raw].reset(raw);
        return raw;
    }
    template <class T>
    std::unique_ptr<T> take(Pending<T>& pending, T* raw) {
        std::lock_guard<std::mutex> g(mu_);
        auto it = pending.find(raw);
        if (it == pending.end()) return nullptr;
        std::unique_ptr<T> out = std::move(it->second);
        pending.erase(it);
        return out;
    }
};

}  // namespace vigil
