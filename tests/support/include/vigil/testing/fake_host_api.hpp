#pragma once
// FakeHost's C entry points (see fake_host.hpp): each forwards to the FakeHost
// behind the handle. Included by fake_host.hpp; not for direct use.

#include "fake_host.hpp"

namespace vigil::testing {

inline void FakeHost::fill_bus() {
    api_.log = [](vigil_host_handle* h, int32_t level, const char* msg, uint32_t len) {
        std::lock_guard<std::mutex> g(F(h)->mu_);
        F(h)->logs_.emplace_back(level, std::string(msg, len));
    };
    api_.publish = [](vigil_host_handle* h, const vigil_message* m) -> vigil_status {
        if (!m || (m->payload_size && !m->payload)) return VIGIL_EINVAL;
        Published p{m->type_id, m->correlation_id,
                    std::vector<char>(static_cast<const char*>(m->payload),
                                      static_cast<const char*>(m->payload) + m->payload_size)};
        std::lock_guard<std::mutex> g(F(h)->mu_);
        F(h)->published_.push_back(std::move(p));
        return VIGIL_OK;
    };
    api_.subscribe = [](vigil_host_handle* h, uint32_t type, const vigil_subscribe_options*, vigil_message_cb cb,
                        void* user, uint64_t* out) -> vigil_status {
        if (!cb) return VIGIL_EINVAL;
        const uint64_t id = F(h)->next_id_++;
        F(h)->subs_[id] = Sub{type, cb, user};
        if (out) *out = id;
        return VIGIL_OK;
    };
    api_.unsubscribe = [](vigil_host_handle* h, uint64_t id) -> vigil_status {
        return F(h)->subs_.erase(id) ? VIGIL_OK : VIGIL_ENOTFOUND;
    };
    api_.register_type = [](vigil_host_handle*, const char*, uint32_t len, uint32_t* out) -> vigil_status {
        if (!len || len > 128 || !out) return VIGIL_EINVAL;
        *out = VIGIL_TYPE_CUSTOM_BASE + len;
        return VIGIL_OK;
    };
}

inline void FakeHost::fill_commands() {
    api_.register_command = [](vigil_host_handle* h, const char* name, uint32_t len, vigil_command_cb cb,
                               void* user) -> vigil_status {
        std::string n(name, len);
        if (!cb || n.rfind(F(h)->name_ + ".", 0) != 0) return VIGIL_EINVAL;
        if (F(h)->handlers_.count(n)) return VIGIL_EEXIST;
        F(h)->handlers_[n] = {cb, user};
        return VIGIL_OK;
    };
    api_.send_command = [](vigil_host_handle* h, const char* name, uint32_t nlen, const char* args, uint32_t alen,
                           uint32_t timeout_ms, vigil_reply_cb cb, void* user, uint64_t* out) -> vigil_status {
        return F(h)->api_.send_command_as(h, name, nlen, args, alen, timeout_ms, nullptr, 0, cb, user, out);
    };
    api_.send_command_as = [](vigil_host_handle* h, const char* name, uint32_t nlen, const char* args, uint32_t alen,
                              uint32_t timeout_ms, const char* origin, uint32_t olen, vigil_reply_cb cb, void* user,
                              uint64_t* out) -> vigil_status {
        if (!cb || !name) return VIGIL_EINVAL;
        auto* f = F(h);
        Sent s{std::string(name, nlen), args ? std::string(args, alen) : "", origin && olen ? std::string(origin, olen) : f->name_,
               timeout_ms};
        uint64_t corr;
        {
            std::lock_guard<std::mutex> g(f->mu_);
            f->sent_.push_back(s);
            corr = f->next_corr_++;
        }
        if (out) *out = corr;
        f->answer_sent(s, corr, cb, user);
        return VIGIL_OK;
    };
    api_.reply = [](vigil_host_handle* h, uint64_t corr, vigil_status st, const char* result, uint32_t rlen,
                    const char* error, uint32_t elen) -> vigil_status {
        auto* f = F(h);
        std::lock_guard<std::mutex> g(f->mu_);
        if (f->answers_.count(corr)) {
            ++f->late_replies_;
            return VIGIL_ESTATE;
        }
        f->answers_[corr] = Answer{true, st, result ? std::string(result, rlen) : "", error ? std::string(error, elen) : ""};
        f->cv_.notify_all();
        return VIGIL_OK;
    };
}

inline void FakeHost::fill_services() {
    api_.counter_add = [](vigil_host_handle* h, const char* name, uint32_t len, uint64_t delta) {
        std::lock_guard<std::mutex> g(F(h)->mu_);
        F(h)->counters_[std::string(name, len)] += delta;
    };
    api_.gauge_set = [](vigil_host_handle* h, const char* name, uint32_t len, int64_t v) {
        std::lock_guard<std::mutex> g(F(h)->mu_);
        F(h)->gauges_[std::string(name, len)] = v;
    };
    api_.timer_start = [](vigil_host_handle* h, uint32_t ms, int32_t repeat, vigil_task_cb cb, void* user,
                          uint64_t* out) -> vigil_status {
        auto* f = F(h);
        if (!cb) return VIGIL_EINVAL;
        if (f->stopped_) return VIGIL_ESTATE;
        const uint64_t id = f->next_id_++;
        f->timers_[id] = Timer{f->now_ms_ + ms, ms, repeat != 0, cb, user};
        if (out) *out = id;
        return VIGIL_OK;
    };
    api_.timer_cancel = [](vigil_host_handle* h, uint64_t id) -> vigil_status {
        return F(h)->timers_.erase(id) ? VIGIL_OK : VIGIL_ENOTFOUND;
    };
    api_.post = [](vigil_host_handle* h, vigil_task_cb cb, void* user) -> vigil_status {
        if (!cb) return VIGIL_EINVAL;
        if (F(h)->stopped_) return VIGIL_ESTATE;
        F(h)->post_task(cb, user);
        return VIGIL_OK;
    };
    api_.set_status_json = [](vigil_host_handle* h, const char* json, uint32_t len) {
        std::lock_guard<std::mutex> g(F(h)->mu_);
        F(h)->status_.assign(json, len);
        ++F(h)->status_updates_;
    };
    api_.host_status_json = [](vigil_host_handle* h, vigil_string_cb cb, void* user) {
        cb(user, F(h)->host_status_.data(), uint32_t(F(h)->host_status_.size()));
    };
    api_.quarantine_put = [](vigil_host_handle*, const char*, uint32_t, const char*, uint32_t, uint32_t,
                             vigil_string_cb cb, void* user) -> vigil_status {
        static const char kNo[] = "the fake host has no quarantine store";
        cb(user, kNo, sizeof kNo - 1);
        return VIGIL_EUNSUPPORTED;
    };
}

inline void FakeHost::fill_agent() {
    api_.config_json = [](vigil_host_handle* h, uint32_t* len) -> const char* {
        *len = uint32_t(F(h)->config_.size());
        return F(h)->config_.c_str();
    };
    api_.agent_config_json = [](vigil_host_handle* h, uint32_t* len) -> const char* {
        *len = uint32_t(F(h)->agent_config_.size());
        return F(h)->agent_config_.c_str();
    };
    api_.state_dir = [](vigil_host_handle* h) -> const char* { return F(h)->state_dir_.c_str(); };
    api_.agent_identity = [](vigil_host_handle*, vigil_agent_identity* out) -> vigil_status {
        if (!out) return VIGIL_EINVAL;
        out->agent_id = "00000000-0000-4000-8000-000000000000";
        out->hostname = "fake-host";
        out->agent_version = "0.0.0-test";
        return VIGIL_OK;
    };
    api_.agent_settings = [](vigil_host_handle* h, vigil_agent_settings* out) -> vigil_status {
        if (!out || out->struct_size < sizeof(uint32_t)) return VIGIL_EINVAL;
        auto* f = F(h);
        f->agent_ = parse_agent_settings(f->agent_config_);
        f->dir_ptrs_.clear();
        for (const auto& d : f->agent_.plugin_dirs) f->dir_ptrs_.push_back(d.c_str());
        static const ProxyUrl none{};
        const ProxyUrl& p = f->agent_.proxy ? *f->agent_.proxy : none;
        vigil_agent_settings s{};
        s.struct_size = sizeof s;
        s.plugin_dir_count = uint32_t(f->dir_ptrs_.size());
        s.state_dir = f->agent_.state_dir.c_str();
        s.control_socket = f->agent_.control_socket.c_str();
        s.plugin_dirs = f->dir_ptrs_.data();
        s.log_level = f->agent_.log_level.c_str();
        s.proxy_url = p.url.c_str();
        s.proxy_host = p.host.c_str();
        s.proxy_username = p.username.c_str();
        s.proxy_password = p.password.c_str();
        s.proxy_port = p.port;
        const uint32_t n = out->struct_size < sizeof s ? out->struct_size : uint32_t(sizeof s);
        std::memcpy(out, &s, n);
        out->struct_size = n;
        ++f->agent_settings_calls_;
        return VIGIL_OK;
    };
}

}  // namespace vigil::testing
