// The liveness contract behind the systemd watchdog. vigild sends WATCHDOG=1
// only while the parts whose hang would hurt the host are making progress:
//  - the bus: no subscriber delivery thread has been inside its callback(s)
//    for longer than the stall limit without delivering a message;
//  - plugin components that declare a heartbeat: a plugin sets the gauge
//    "watchdog.<component>" (host->gauge_set) to the CLOCK_MONOTONIC time in
//    milliseconds at least once a second while the component works (idle
//    waiting included), and to 0 when the component stops. A heartbeat older
//    than the stall limit is a stall. file_threat's fanotify permission
//    responder does this: a hung responder blocks every open() on the host,
//    and the watchdog kill closes its descriptor, which releases them.
// A timer thread pinging on its own would prove nothing, so the ping is sent
// by the thread that evaluates these signals, and only when all are healthy.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus.hpp"
#include <vigil/common/sd_notify.hpp>

namespace vigil::core {

using common::SystemdNotifier;

// One plugin heartbeat gauge.
struct Heartbeat {
    std::string plugin;
    std::string component;
    int64_t monotonic_ms = 0;  // 0 = the component is not active
};

// Milliseconds on CLOCK_MONOTONIC (the clock heartbeats are written in).
int64_t monotonic_ms();

// The pure decision: remembers when each busy subscription last delivered.
class LivenessCheck {
public:
    using Clock = std::chrono::steady_clock;
    explicit LivenessCheck(std::chrono::milliseconds stall_limit) : limit_(stall_limit) {}

    // Empty when healthy, else one text per stalled part.
    std::vector<std::string> evaluate(const std::vector<SubscriptionSnapshot>& subs,
                                      const std::vector<Heartbeat>& heartbeats, Clock::time_point now,
                                      int64_t now_monotonic_ms);
    void set_limit(std::chrono::milliseconds limit) { limit_ = limit; }

private:
    struct Seen {
        uint64_t delivered = 0;
        Clock::time_point since;
    };
    std::chrono::milliseconds limit_;
    std::map<uint64_t, Seen> busy_;
};

class Watchdog {
public:
    struct Sources {
        std::function<std::vector<SubscriptionSnapshot>()> subscriptions;
        std::function<std::vector<Heartbeat>()> heartbeats;
    };
    Watchdog(const SystemdNotifier& notifier, Sources sources, std::chrono::milliseconds stall_limit);
    ~Watchdog();

    void start();
    void stop();
    void set_stall_limit(std::chrono::milliseconds limit);

    bool healthy() const { return healthy_.load(); }
    uint64_t pings() const { return pings_.load(); }
    uint64_t stalls() const { return stalls_.load(); }  // healthy -> stalled transitions
    std::vector<std::string> problems() const;

private:
    void run();
    void tick(std::chrono::steady_clock::time_point now, std::chrono::steady_clock::time_point& next_ping);

    const SystemdNotifier& notifier_;
    Sources sources_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    LivenessCheck check_;
    std::vector<std::string> problems_;
    std::atomic<bool> healthy_{true};
    std::atomic<uint64_t> pings_{0}, stalls_{0};
    std::thread thread_;
};

}  // namespace vigil::core
