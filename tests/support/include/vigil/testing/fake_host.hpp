#pragma once
// An in-process vigil_host_api for unit tests of a plugin's glue: it records
// what the plugin publishes, logs, counts, sends and sets as status, and it
// drives commands, messages, posted work and timers inline on the test's
// thread, which plays the executor (timers use a virtual clock: advance()).
//
//   vigil::testing::FakeHost host(R"({"max_concurrent_actions":1})");
//   host.load(vigil_plugin_entry);            // the plugin's entry point
//   REQUIRE(host.start() == VIGIL_OK);
//   auto r = host.command("response.get_file", R"({"path":"/etc/hosts"})");
//   CHECK(r.status == VIGIL_OK);
//   CHECK(host.published(VIGIL_TYPE_ACTION_RESULT).size() == 1);
//
// Replies sent from worker threads are awaited by command() (it keeps running
// posted work meanwhile). Commands the plugin sends are answered by the
// responder set with respond_to(), or with VIGIL_ENOTFOUND.

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <vigil/agent.hpp>
#include <vigil/events.h>
#include <vigil/payload.hpp>
#include <vigil/plugin.h>

namespace vigil::testing {

class FakeHost {
public:
    struct Published {
        uint32_t type = 0;
        uint64_t correlation_id = 0;
        std::vector<char> payload;
        template <class T>
        PayloadView<T> as() const {
            return view<T>(payload.data(), uint32_t(payload.size()));
        }
    };
    struct Answer {
        bool answered = false;
        vigil_status status = VIGIL_OK;
        std::string result_json, error;
    };
    struct Sent {
        std::string name, args_json, origin;
        uint32_t timeout_ms = 0;
    };
    using Responder = std::function<Answer(const Sent&)>;

    explicit FakeHost(std::string config_json = "{}", std::string name = "test")
        : config_(std::move(config_json)), name_(std::move(name)) {
        std::memset(&api_, 0, sizeof api_);
        api_.struct_size = sizeof api_;
        api_.abi_major = VIGIL_ABI_MAJOR;
        api_.abi_minor = VIGIL_ABI_MINOR;
        fill_api();
    }
    ~FakeHost() {
        if (state_) destroy();
    }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    const vigil_host_api* api() const { return &api_; }
    vigil_host_handle* handle() { return reinterpret_cast<vigil_host_handle*>(this); }

    // ------------------------------------------------------------ lifecycle
    // Creates the plugin through its entry point; returns create()'s status.
    vigil_status load(vigil_plugin_entry_fn entry) {
        vigil_host_info hi{sizeof hi, VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, 0, "fake-host"};
        info_ = entry(&hi);
        if (!info_ || !info_->api) throw std::runtime_error("the plugin declined the host");
        return load_api(info_->api);
    }
    // Creates the plugin from its function table (C++ SDK plugins in a test
    // binary: vigil::detail::Adapter<MyPlugin>::table()).
    vigil_status load_api(const vigil_plugin_api* api) {
        plugin_ = api;
        stopped_ = false;
        vigil_status st = plugin_->create(&api_, handle(), &state_);
        if (st != VIGIL_OK) last_error_ = error_text();
        return st;
    }
    vigil_status start() { return lifecycle(plugin_->start); }
    vigil_status stop() {
        vigil_status st = lifecycle(plugin_->stop);
        stopped_ = true;
        return st;
    }
    vigil_status reconfigure(std::string config_json) {
        config_ = std::move(config_json);
        if (!plugin_->reconfigure) return VIGIL_EUNSUPPORTED;
        return lifecycle(plugin_->reconfigure);
    }
    void destroy() {
        plugin_->destroy(state_);
        state_ = nullptr;
    }
    const vigil_plugin_info* info() const { return info_; }
    const std::string& last_error() const { return last_error_; }

    // -------------------------------------------------------------- driving
    // Calls the handler of `name` inline, then runs posted work until it has
    // replied or `wait` has passed (answered == false then).
    Answer command(const std::string& name, const std::string& args_json = "{}", const std::string& origin = "test",
                   std::chrono::milliseconds wait = std::chrono::seconds(10)) {
        auto it = handlers_.find(name);
        if (it == handlers_.end()) return {true, VIGIL_ENOTFOUND, "", "no handler for " + name};
        const uint64_t corr = next_corr_++;
        PayloadBuilder<vigil_command> b;
        b.head().deadline_ns = 0;
        b.set(&vigil_command::name, name);
        b.set(&vigil_command::args_json, args_json);
        b.set(&vigil_command::origin, origin);
        vigil_message m = envelope(VIGIL_TYPE_COMMAND, b.data(), b.size(), corr);
        it->second.first(it->second.second, &m);
        const auto until = std::chrono::steady_clock::now() + wait;
        for (;;) {
            run_posted();
            std::unique_lock<std::mutex> lk(mu_);
            if (answers_.count(corr)) return answers_[corr];
            if (std::chrono::steady_clock::now() >= until) return {};
            cv_.wait_for(lk, std::chrono::milliseconds(5));
        }
    }
    // Delivers a message to every matching subscriber, inline.
    void deliver(uint32_t type, const void* payload, uint32_t size) {
        vigil_message m = envelope(type, payload, size, 0);
        const auto subs = subs_;  // a callback may unsubscribe
        for (const auto& [id, s] : subs)
            if ((s.type == type || s.type == VIGIL_TYPE_ANY) && subs_.count(id)) s.cb(s.user, &m);
    }
    template <class T>
    void deliver(uint32_t type, const PayloadBuilder<T>& b) {
        deliver(type, b.data(), b.size());
    }
    // Runs posted work (and replies to sent commands) until none is left.
    size_t run_posted() {
        size_t n = 0;
        for (;;) {
            std::pair<vigil_task_cb, void*> t;
            {
                std::lock_guard<std::mutex> g(mu_);
                if (posted_.empty()) return n;
                t = posted_.front();
                posted_.pop_front();
            }
            t.first(t.second);
            ++n;
        }
    }
    // Moves the virtual clock and fires due timers in order (then posted work).
    void advance(std::chrono::milliseconds d) {
        const uint64_t until = now_ms_ + uint64_t(d.count());
        for (;;) {
            auto due = next_due(until);
            if (!due) break;
            now_ms_ = due->at;
            Timer t = due->timer;
            if (t.repeat)
                timers_[due->id].at = now_ms_ + (t.interval_ms ? t.interval_ms : 1);
            else
                timers_.erase(due->id);
            t.cb(t.user);
            run_posted();
        }
        now_ms_ = until;
        run_posted();
    }
    void respond_to(const std::string& name, Responder r) { responders_[name] = std::move(r); }

    // -------------------------------------------------------------- records
    std::vector<Published> published(uint32_t type = VIGIL_TYPE_ANY) const {
        std::lock_guard<std::mutex> g(mu_);
        std::vector<Published> out;
        for (const auto& p : published_)
            if (type == VIGIL_TYPE_ANY || p.type == type) out.push_back(p);
        return out;
    }
    std::string status() const {
        std::lock_guard<std::mutex> g(mu_);
        return status_;
    }
    size_t status_updates() const {
        std::lock_guard<std::mutex> g(mu_);
        return status_updates_;
    }
    uint64_t counter(const std::string& name) const {
        std::lock_guard<std::mutex> g(mu_);
        auto it = counters_.find(name);
        return it == counters_.end() ? 0 : it->second;
    }
    int64_t gauge(const std::string& name) const {
        std::lock_guard<std::mutex> g(mu_);
        auto it = gauges_.find(name);
        return it == gauges_.end() ? 0 : it->second;
    }
    std::vector<std::pair<int, std::string>> logs() const {
        std::lock_guard<std::mutex> g(mu_);
        return logs_;
    }
    bool logged(const std::string& needle) const {
        for (const auto& l : logs())
            if (l.second.find(needle) != std::string::npos) return true;
        return false;
    }
    std::vector<Sent> sent() const {
        std::lock_guard<std::mutex> g(mu_);
        return sent_;
    }
    size_t subscriptions() const { return subs_.size(); }
    size_t timers() const { return timers_.size(); }
    size_t late_replies() const { return late_replies_; }
    size_t agent_settings_calls() const { return agent_settings_calls_; }

    void set_state_dir(std::string dir) { state_dir_ = std::move(dir); }
    // Pretends to be a host of an older minor: services added later are
    // outside api()->struct_size (the SDK must not call them).
    void set_abi_minor(uint32_t minor) {
        api_.abi_minor = minor;
        if (minor < 3) api_.struct_size = uint32_t(offsetof(vigil_host_api, agent_settings));
        if (minor < 2) api_.struct_size = uint32_t(offsetof(vigil_host_api, send_command_as));
    }
    void set_agent_config(std::string json) { agent_config_ = std::move(json); }
    void set_host_status(std::string json) { host_status_ = std::move(json); }

private:
    struct Sub {
        uint32_t type;
        vigil_message_cb cb;
        void* user;
    };
    struct Timer {
        uint64_t at;
        uint32_t interval_ms;
        bool repeat;
        vigil_task_cb cb;
        void* user;
    };
    struct Due {
        uint64_t id, at;
        Timer timer;
    };
    static FakeHost* F(vigil_host_handle* h) { return reinterpret_cast<FakeHost*>(h); }

    vigil_status lifecycle(vigil_status (*fn)(vigil_plugin_state*)) {
        vigil_status st = fn ? fn(state_) : VIGIL_OK;
        if (st != VIGIL_OK) last_error_ = error_text();
        return st;
    }
    std::string error_text() const {
        const char* e = plugin_ && plugin_->last_error ? plugin_->last_error(state_) : nullptr;
        return e ? e : "";
    }
    // A message from the "host" (source "test", the next sequence).
    vigil_message envelope(uint32_t type, const void* payload, uint32_t size, uint64_t corr) {
        vigil_message m = vigil::envelope(type, payload, size, corr);
        m.sequence = ++sequence_;
        m.source = "test";
        m.source_len = 4;
        return m;
    }
    std::optional<Due> next_due(uint64_t until) const {
        std::optional<Due> best;
        for (const auto& [id, t] : timers_)
            if (t.at <= until && (!best || t.at < best->at || (t.at == best->at && id < best->id)))
                best = Due{id, t.at, t};
        return best;
    }
    void post_task(vigil_task_cb cb, void* user) {
        std::lock_guard<std::mutex> g(mu_);
        posted_.emplace_back(cb, user);
        cv_.notify_all();
    }
    // A reply to a command the plugin sent, delivered on the "executor".
    void answer_sent(const Sent& s, uint64_t corr, vigil_reply_cb cb, void* user) {
        auto it = responders_.find(s.name);
        Answer a = it != responders_.end() ? it->second(s) : Answer{true, VIGIL_ENOTFOUND, "", "no such command"};
        struct Pending {
            FakeHost* host;
            Sent sent;
            Answer answer;
            uint64_t corr;
            vigil_reply_cb cb;
            void* user;
        };
        auto* p = new Pending{this, s, a, corr, cb, user};
        post_task(
            [](void* u) {
                std::unique_ptr<Pending> q(static_cast<Pending*>(u));
                PayloadBuilder<vigil_command_result> b;
                b.head().status = q->answer.status;
                b.set(&vigil_command_result::name, q->sent.name);
                b.set(&vigil_command_result::result_json, q->answer.result_json);
                b.set(&vigil_command_result::error, q->answer.error);
                vigil_message m = q->host->envelope(VIGIL_TYPE_COMMAND_RESULT, b.data(), b.size(), q->corr);
                q->cb(q->user, &m);
            },
            p);
    }

    // The C entry points (fake_host_api.hpp), grouped by concern.
    void fill_api() {
        fill_bus();
        fill_commands();
        fill_services();
        fill_agent();
    }
    void fill_bus();
    void fill_commands();
    void fill_services();
    void fill_agent();

    vigil_host_api api_;
    std::string config_, name_, agent_config_ = "{}", state_dir_ = "/tmp", host_status_ = "{}";
    const vigil_plugin_info* info_ = nullptr;
    const vigil_plugin_api* plugin_ = nullptr;
    vigil_plugin_state* state_ = nullptr;
    std::string last_error_;
    bool stopped_ = false;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Published> published_;
    std::map<uint64_t, Answer> answers_;
    std::deque<std::pair<vigil_task_cb, void*>> posted_;
    std::map<std::string, uint64_t> counters_;
    std::map<std::string, int64_t> gauges_;
    std::vector<std::pair<int, std::string>> logs_;
    std::vector<Sent> sent_;
    std::string status_;
    size_t status_updates_ = 0;
    size_t late_replies_ = 0;
    size_t agent_settings_calls_ = 0;
    AgentSettings agent_;
    std::vector<const char*> dir_ptrs_;

    std::map<std::string, std::pair<vigil_command_cb, void*>> handlers_;
    std::map<uint64_t, Sub> subs_;
    std::map<uint64_t, Timer> timers_;
    std::map<std::string, Responder> responders_;
    uint64_t next_id_ = 1, next_corr_ = 1, sequence_ = 0, now_ms_ = 0;
};

}  // namespace vigil::testing

#include "fake_host_api.hpp"  // IWYU pragma: export
