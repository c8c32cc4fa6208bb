#include "bus.hpp"

#include <algorithm>

#include <vigil/sdk.hpp>

#include "log.hpp"

namespace vigil::core {

namespace {
const char* core_type_names[] = {"any",    "process_start", "process_exit",   "network",       "file",
                                 "threat", "action_result", "command",        "command_result", "plugin_status"};
}

Bus::Bus() : routes_(std::make_shared<Routes>()) {
    deadline_thread_ = std::thread([this] { deadline_loop(); });
}

Bus::~Bus() {
    {
        std::lock_guard<std::mutex> g(cmd_mu_);
        stopping_ = true;
    }
    deadline_cv_.notify_all();
    if (deadline_thread_.joinable()) deadline_thread_.join();
    std::map<uint64_t, std::shared_ptr<Subscription>> subs;
    {
        std::lock_guard<std::mutex> g(sub_mu_);
        subs.swap(subs_);
    }
    for (auto& [id, s] : subs) s->stop();
}

vigil_status Bus::publish(Publisher& pub, const vigil_message& m) {
    if (m.struct_size < offsetof(vigil_message, payload) + sizeof(m.payload)) return VIGIL_EINVAL;
    if (m.type_id == VIGIL_TYPE_ANY || !type_known(m.type_id)) return VIGIL_EINVAL;
    if (m.payload_size > kMaxPayload || (m.payload_size && !m.payload)) return VIGIL_EINVAL;
    if (m.type_id <= VIGIL_TYPE_CORE_LAST) {
        // Core payloads start with their own size, which must fit.
        uint32_t declared = 0;
        if (m.payload_size < sizeof declared) return VIGIL_EINVAL;
        std::memcpy(&declared, m.payload, sizeof declared);
        if (declared < sizeof declared || declared > m.payload_size) return VIGIL_EINVAL;
    }
    MessageRef msg = make_message(m, pub.name, pub.sequence.fetch_add(1, std::memory_order_relaxed) + 1);
    std::shared_ptr<const Routes> r;
    {
        std::lock_guard<std::mutex> g(routes_mu_);
        r = routes_;
    }
    auto fan_out = [&](const std::vector<std::shared_ptr<Subscription>>& v) {
        for (const auto& s : v) s->push(msg);
    };
    if (m.type_id <= VIGIL_TYPE_CORE_LAST) {
        fan_out(r->core[m.type_id]);
    } else if (auto it = r->custom.find(m.type_id); it != r->custom.end()) {
        fan_out(it->second);
    }
    fan_out(r->core[VIGIL_TYPE_ANY]);
    pub.published.fetch_add(1, std::memory_order_relaxed);
    published_.fetch_add(1, std::memory_order_relaxed);
    return VIGIL_OK;
}

uint64_t Bus::subscribe(uint32_t type, uint32_t capacity, vigil_overflow_policy policy, Subscription::Deliver fn,
                        const std::string& owner, SubscriberCounters* counters, bool start_now) {
    if (type != VIGIL_TYPE_ANY && !type_known(type)) return 0;
    if (policy != VIGIL_OVERFLOW_DROP_OLDEST && policy != VIGIL_OVERFLOW_DROP_NEWEST) return 0;
    std::lock_guard<std::mutex> g(sub_mu_);
    uint64_t id = next_sub_++;
    auto s = std::make_shared<Subscription>(id, type, capacity ? capacity : 65536, policy, std::move(fn), owner,
                                            counters);
    if (start_now) s->start();
    subs_[id] = s;
    rebuild_routes_locked();
    return id;
}

void Bus::activate(uint64_t id) {
    std::lock_guard<std::mutex> g(sub_mu_);
    if (auto it = subs_.find(id); it != subs_.end()) it->second->start();
}

bool Bus::unsubscribe(uint64_t id, std::chrono::milliseconds drain) {
    std::shared_ptr<Subscription> s;
    {
        std::lock_guard<std::mutex> g(sub_mu_);
        auto it = subs_.find(id);
        if (it == subs_.end()) return false;
        s = it->second;
        subs_.erase(it);
        rebuild_routes_locked();
        // Unsubscribing from inside its own callback detaches the thread:
        // keep the object alive until that thread has returned.
        if (s->on_delivery_thread()) graveyard_.push_back(s);
    }
    s->stop(drain);
    std::lock_guard<std::mutex> g(sub_mu_);
    if (std::find(graveyard_.begin(), graveyard_.end(), s) == graveyard_.end()) retired_dropped_ += s->dropped();
    // Release what is over, so each vigilctl events session leaves nothing behind.
    std::erase_if(graveyard_, [&](const std::shared_ptr<Subscription>& held) {
        if (held == s || !held->finished()) return false;
        retired_dropped_ += held->dropped();
        return true;
    });
    return true;
}

size_t Bus::retained_subscriptions() const {
    std::lock_guard<std::mutex> g(sub_mu_);
    return graveyard_.size();
}

void Bus::rebuild_routes_locked() {
    auto r = std::make_shared<Routes>();
    for (auto& [id, s] : subs_) {
        if (s->type() <= VIGIL_TYPE_CORE_LAST) r->core[s->type()].push_back(s);
        else r->custom[s->type()].push_back(s);
    }
    std::lock_guard<std::mutex> g(routes_mu_);
    routes_ = std::move(r);
}

uint32_t Bus::register_type(std::string_view name) {
    std::lock_guard<std::mutex> g(types_mu_);
    if (auto it = type_ids_.find(name); it != type_ids_.end()) return it->second;
    uint32_t id = VIGIL_TYPE_CUSTOM_BASE + uint32_t(type_ids_.size());
    type_ids_.emplace(std::string(name), id);
    type_names_.emplace(id, std::string(name));
    return id;
}

std::string Bus::type_name(uint32_t id) const {
    if (id <= VIGIL_TYPE_CORE_LAST) return core_type_names[id];
    std::lock_guard<std::mutex> g(types_mu_);
    auto it = type_names_.find(id);
    return it == type_names_.end() ? "type_" + std::to_string(id) : it->second;
}

bool Bus::type_known(uint32_t id) const {
    if (id <= VIGIL_TYPE_CORE_LAST) return true;
    std::lock_guard<std::mutex> g(types_mu_);
    return type_names_.count(id) > 0;
}

vigil_status Bus::register_command(const std::string& name, const std::string& owner, HandlerFn fn) {
    std::lock_guard<std::mutex> g(cmd_mu_);
    if (handlers_.count(name)) return VIGIL_EEXIST;
    handlers_[name] = Handler{owner, std::move(fn)};
    return VIGIL_OK;
}

void Bus::unregister_commands(const std::string& owner, const std::string& reason) {
    std::vector<uint64_t> orphaned;
    {
        std::lock_guard<std::mutex> g(cmd_mu_);
        for (auto it = handlers_.begin(); it != handlers_.end();) {
            if (it->second.owner == owner) it = handlers_.erase(it);
            else ++it;
        }
        for (auto& [corr, p] : pending_)
            if (p.handler == owner) orphaned.push_back(corr);
    }
    for (uint64_t corr : orphaned) finish(corr, bus_publisher_, VIGIL_EDISABLED, {}, reason, false);
}

std::vector<std::string> Bus::commands() const {
    std::lock_guard<std::mutex> g(cmd_mu_);
    std::vector<std::string> out;
    for (auto& [n, h] : handlers_) out.push_back(n);
    return out;
}

void Bus::set_unavailable_fn(UnavailableFn fn) {
    std::lock_guard<std::mutex> g(cmd_mu_);
    unavailable_ = std::move(fn);
}

namespace {
MessageRef build_result(Publisher& from, uint64_t corr, std::string_view name, vigil_status st,
                        std::string_view result, std::string_view error) {
    PayloadBuilder<vigil_command_result> b;
    b.head().status = st;
    b.head().name = b.add(name);
    b.head().result_json = b.add(result);
    b.head().error = b.add(error);
    return make_message(envelope(VIGIL_TYPE_COMMAND_RESULT, b, corr), from.name, from.sequence.fetch_add(1) + 1);
}
}  // namespace

void Bus::deliver_error(uint64_t corr, std::string_view name, vigil_status st, std::string_view error,
                        const ReplyFn& reply) {
    MessageRef r = build_result(bus_publisher_, corr, name, st, {}, error);
    try {
        reply(r);
    } catch (...) {
    }
}

uint64_t Bus::send_command(Publisher& sender, std::string_view name, std::string_view args_json, uint32_t timeout_ms,
                           std::string_view origin, ReplyFn reply) {
    const uint64_t corr = next_corr_.fetch_add(1);
    commands_.fetch_add(1, std::memory_order_relaxed);
    if (timeout_ms == 0) timeout_ms = 30000;
    const std::string cmd_name(name);

    HandlerFn handler;
    std::string handler_owner;
    UnavailableFn unavailable;
    {
        std::lock_guard<std::mutex> g(cmd_mu_);
        auto it = handlers_.find(cmd_name);
        if (it != handlers_.end()) {
            handler = it->second.fn;
            handler_owner = it->second.owner;
            auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
            pending_[corr] = Pending{reply, cmd_name, handler_owner, deadline};
            deadlines_.emplace(deadline, corr);
        } else {
            unavailable = unavailable_;
        }
    }
    if (!handler) {
        auto dot = cmd_name.find('.');
        std::string plugin = dot == std::string::npos ? cmd_name : cmd_name.substr(0, dot);
        std::string why = unavailable ? unavailable(plugin) : std::string();
        std::string err = why.empty() ? "no handler for command '" + cmd_name + "'"
                                      : "no handler for command '" + cmd_name + "': " + why;
        deliver_error(corr, cmd_name, why.empty() ? VIGIL_ENOTFOUND : VIGIL_EDISABLED, err, reply);
        return corr;
    }
    deadline_cv_.notify_one();

    PayloadBuilder<vigil_command> b;
    b.head().deadline_ns = realtime_ns() + uint64_t(timeout_ms) * 1000000ull;
    b.head().name = b.add(cmd_name);
    b.head().args_json = b.add(args_json);
    b.head().origin = b.add(origin.empty() ? sender.name : origin);
    MessageRef cmd = make_message(envelope(VIGIL_TYPE_COMMAND, b, corr), sender.name, sender.sequence.fetch_add(1) + 1);

    // Observers (vigilctl events, audit) see commands too.
    {
        std::shared_ptr<const Routes> r;
        {
            std::lock_guard<std::mutex> g(routes_mu_);
            r = routes_;
        }
        for (const auto& s : r->core[VIGIL_TYPE_COMMAND]) s->push(cmd);
        for (const auto& s : r->core[VIGIL_TYPE_ANY]) s->push(cmd);
    }
    if (!handler(cmd)) finish(corr, bus_publisher_, VIGIL_EDISABLED, {}, "plugin " + handler_owner + " is stopping", false);
    return corr;
}

vigil_status Bus::reply(Publisher& replier, uint64_t corr, vigil_status status, std::string_view result,
                        std::string_view error) {
    {
        std::lock_guard<std::mutex> g(cmd_mu_);
        auto it = pending_.find(corr);
        if (it == pending_.end()) {
            late_replies_.fetch_add(1, std::memory_order_relaxed);
            return VIGIL_ESTATE;
        }
        if (it->second.handler != replier.name) return VIGIL_EINVAL;  // only the handler may answer
    }
    finish(corr, replier, status, result, error, false);
    return VIGIL_OK;
}

void Bus::finish(uint64_t corr, Publisher& replier, vigil_status status, std::string_view result,
                 std::string_view error, bool is_timeout) {
    Pending p;
    {
        std::lock_guard<std::mutex> g(cmd_mu_);
        auto it = pending_.find(corr);
        if (it == pending_.end()) {
            if (!is_timeout) late_replies_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        p = std::move(it->second);
        pending_.erase(it);
    }
    if (is_timeout) timeouts_.fetch_add(1, std::memory_order_relaxed);
    MessageRef r = build_result(replier, corr, p.name, status, result, error);
    {
        std::shared_ptr<const Routes> routes;
        {
            std::lock_guard<std::mutex> g(routes_mu_);
            routes = routes_;
        }
        for (const auto& s : routes->core[VIGIL_TYPE_COMMAND_RESULT]) s->push(r);
        for (const auto& s : routes->core[VIGIL_TYPE_ANY]) s->push(r);
    }
    try {
        p.reply(r);
    } catch (...) {
        log_error("bus", "reply callback threw");
    }
}

void Bus::deadline_loop() {
    std::unique_lock<std::mutex> lk(cmd_mu_);
    while (!stopping_) {
        if (deadlines_.empty()) {
            deadline_cv_.wait(lk);
            continue;
        }
        auto first = deadlines_.begin();
        if (first->first > std::chrono::steady_clock::now()) {
            deadline_cv_.wait_until(lk, first->first);
            continue;
        }
        uint64_t corr = first->second;
        deadlines_.erase(first);
        auto it = pending_.find(corr);
        if (it == pending_.end()) continue;  // already answered
        std::string msg = "timeout: no reply to '" + it->second.name + "' from plugin " + it->second.handler;
        lk.unlock();
        finish(corr, bus_publisher_, VIGIL_ETIMEDOUT, {}, msg, true);
        lk.lock();
    }
}

BusStats Bus::stats() const {
    BusStats s;
    s.published = published_.load();
    s.commands = commands_.load();
    s.command_timeouts = timeouts_.load();
    s.late_replies = late_replies_.load();
    std::lock_guard<std::mutex> g(sub_mu_);
    for (auto& [id, sub] : subs_) s.dropped += sub->dropped();
    for (auto& sub : graveyard_) s.dropped += sub->dropped();
    s.dropped += retired_dropped_;
    return s;
}

std::vector<SubscriptionSnapshot> Bus::subscriptions() const {
    std::lock_guard<std::mutex> g(sub_mu_);
    std::vector<SubscriptionSnapshot> out;
    out.reserve(subs_.size() + graveyard_.size());
    auto add = [&out](Subscription& s, bool live) {
        SubscriptionSnapshot x;
        x.id = s.id();
        x.owner = s.owner();
        x.live = live;
        x.busy = live && s.busy();
        x.delivered = s.delivered();
        x.dropped = s.dropped();
        x.depth = live ? s.depth() : 0;
        x.capacity = s.capacity();
        out.push_back(std::move(x));
    };
    for (auto& [id, sub] : subs_) add(*sub, true);
    for (auto& sub : graveyard_) add(*sub, false);
    return out;
}

}  // namespace vigil::core
