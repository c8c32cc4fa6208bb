// The typed message bus: routes published messages to subscriber queues by
// type (the route table is rebuilt on (un)subscribe, never searched per
// message) and carries request/reply commands with deadlines, guaranteeing
// exactly one reply per command.
#pragma once
#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "message.hpp"
#include "subscription.hpp"

namespace vigil::core {

// Identity and counters of a publisher (a plugin, or a host component).
struct Publisher {
    explicit Publisher(std::string_view n) : name(intern_name(n)) {}
    std::string_view name;
    std::atomic<uint64_t> sequence{0};
    std::atomic<uint64_t> published{0};
};

struct BusStats {
    uint64_t published = 0;
    uint64_t dropped = 0;
    uint64_t commands = 0;
    uint64_t command_timeouts = 0;
    uint64_t late_replies = 0;
};

// One subscription as the watchdog and the metrics see it.
struct SubscriptionSnapshot {
    uint64_t id = 0;
    std::string owner;
    bool live = true;   // false: unsubscribed (its counts still add up per owner)
    bool busy = false;  // inside the subscriber's callback
    uint64_t delivered = 0, dropped = 0;
    size_t depth = 0;
    uint32_t capacity = 0;
};

class Bus {
public:
    // Called with each reply; must not block (hop to your own thread).
    using ReplyFn = std::function<void(const MessageRef& result)>;
    // Delivers a command to its handler (the registration decides the thread).
    using HandlerFn = std::function<bool(const MessageRef& command)>;
    // Explains why nobody handles commands of plugin `name` ("plugin x is disabled").
    using UnavailableFn = std::function<std::string(const std::string& plugin)>;

    static constexpr uint32_t kMaxPayload = 16u << 20;

    Bus();
    ~Bus();
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    vigil_status publish(Publisher& pub, const vigil_message& m);

    // A subscription made with start_now=false queues (bounded) but delivers
    // nothing until activate(): plugins subscribe in create() and must not be
    // called before their start() returned.
    uint64_t subscribe(uint32_t type, uint32_t capacity, vigil_overflow_policy policy, Subscription::Deliver fn,
                       const std::string& owner, SubscriberCounters* counters, bool start_now = true);
    void activate(uint64_t id);
    // Queued messages are still delivered for up to `drain`.
    bool unsubscribe(uint64_t id, std::chrono::milliseconds drain = std::chrono::milliseconds(0));
    // Unsubscribed subscriptions still held because their own thread unsubscribed them.
    size_t retained_subscriptions() const;

    // Custom types: same name -> same id.
    uint32_t register_type(std::string_view name);
    std::string type_name(uint32_t id) const;
    bool type_known(uint32_t id) const;

    vigil_status register_command(const std::string& name, const std::string& owner, HandlerFn fn);
    // Removes `owner`'s handlers; its pending commands get an error reply.
    void unregister_commands(const std::string& owner, const std::string& reason);

    // Sends a command. `reply` is called exactly once (result, error or timeout).
    uint64_t send_command(Publisher& sender, std::string_view name, std::string_view args_json, uint32_t timeout_ms,
                          std::string_view origin, ReplyFn reply);
    // Answers a command; VIGIL_ESTATE when already answered or timed out.
    vigil_status reply(Publisher& replier, uint64_t correlation_id, vigil_status status, std::string_view result_json,
                       std::string_view error);

    void set_unavailable_fn(UnavailableFn fn);
    BusStats stats() const;
    std::vector<SubscriptionSnapshot> subscriptions() const;
    std::vector<std::string> commands() const;

private:
    struct Routes {
        std::array<std::vector<std::shared_ptr<Subscription>>, VIGIL_TYPE_CORE_LAST + 1> core;
        std::unordered_map<uint32_t, std::vector<std::shared_ptr<Subscription>>> custom;
    };
    struct Pending {
        ReplyFn reply;
        std::string name;
        std::string handler;
        std::chrono::steady_clock::time_point deadline;
    };
    struct Handler {
        std::string owner;
        HandlerFn fn;
    };

    void rebuild_routes_locked();
    void deadline_loop();
    void finish(uint64_t corr, Publisher& replier, vigil_status status, std::string_view result,
                std::string_view error, bool is_timeout);
    void deliver_error(uint64_t corr, std::string_view name, vigil_status st, std::string_view error,
                       const ReplyFn& reply);

    mutable std::mutex sub_mu_;
    std::map<uint64_t, std::shared_ptr<Subscription>> subs_;
    std::vector<std::shared_ptr<Subscription>> graveyard_;
    uint64_t retired_dropped_ = 0;  // dropped counts of released subscriptions (stats stay monotonic)
    uint64_t next_sub_ = 1;
    std::shared_ptr<const Routes> routes_;
    mutable std::mutex routes_mu_;

    mutable std::mutex types_mu_;
    std::map<std::string, uint32_t, std::less<>> type_ids_;
    std::map<uint32_t, std::string> type_names_;

    mutable std::mutex cmd_mu_;
    std::map<std::string, Handler, std::less<>> handlers_;
    std::unordered_map<uint64_t, Pending> pending_;
    std::multimap<std::chrono::steady_clock::time_point, uint64_t> deadlines_;
    std::condition_variable deadline_cv_;
    bool stopping_ = false;
    std::thread deadline_thread_;
    UnavailableFn unavailable_;
    Publisher bus_publisher_{"bus"};

    std::atomic<uint64_t> next_corr_{1};
    std::atomic<uint64_t> published_{0}, commands_{0}, timeouts_{0}, late_replies_{0}, route_dropped_{0};
};

}  // namespace vigil::core
