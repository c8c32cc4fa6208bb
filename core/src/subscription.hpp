// One subscriber's bounded queue and its delivery thread. Telemetry beyond
// the capacity is dropped by the declared policy and counted; critical
// messages (threats, action results, commands, replies, status) are always
// queued, whatever the capacity.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "message.hpp"

namespace vigil::core {

// Counters of one subscriber plugin, aggregated over its subscriptions.
struct SubscriberCounters {
    std::atomic<uint64_t> delivered{0};
    std::atomic<uint64_t> dropped{0};
};

class Subscription {
public:
    using Deliver = std::function<void(const vigil_message&)>;

    Subscription(uint64_t id, uint32_t type, uint32_t capacity, vigil_overflow_policy policy, Deliver deliver,
                 std::string owner, SubscriberCounters* counters);
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    // Queues a message; returns false when a telemetry message was dropped.
    bool push(const MessageRef& m);
    void start();
    // Stops the delivery thread. Messages already queued are still delivered
    // for up to `drain` (a stopping plugin gets what was published to it);
    // whatever remains after that is discarded and counted.
    void stop(std::chrono::milliseconds drain = std::chrono::milliseconds(0));

    uint64_t id() const { return id_; }
    uint32_t type() const { return type_; }
    const std::string& owner() const { return owner_; }
    uint64_t dropped() const { return dropped_.load(); }
    uint64_t delivered() const { return delivered_.load(); }
    // True while the delivery thread is inside the subscriber's callback(s).
    bool busy() const { return busy_.load(std::memory_order_relaxed); }
    uint64_t discarded_on_stop() const { return discarded_.load(); }
    size_t depth();
    uint32_t capacity() const { return capacity_; }
    // Whether the caller runs on this subscription's delivery thread.
    bool on_delivery_thread();
    // The delivery thread has returned (or never ran): nothing uses this object any more.
    bool finished() const { return finished_.load(std::memory_order_acquire); }

private:
    void run();

    const uint64_t id_;
    const uint32_t type_;
    const uint32_t capacity_;
    const vigil_overflow_policy policy_;
    const Deliver deliver_;
    const std::string owner_;
    SubscriberCounters* counters_;

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<MessageRef> queue_;
    bool waiting_ = false;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point drain_until_{};
    std::thread thread_;
    std::atomic<uint64_t> dropped_{0}, delivered_{0}, discarded_{0};
    std::atomic<bool> finished_{true};
    std::atomic<bool> busy_{false};
};

}  // namespace vigil::core
