#pragma once
// Wakes long-polling agents when a task is created for them. Two ways to wait:
//  - wait(): blocks the calling thread on a condition variable per waiting agent (created on
//    demand, dropped when nobody waits), for callers that own a thread;
//  - subscribe(): registers a callback and returns at once, for the event-driven server,
//    where a waiting poll is only a timer and this subscription.
// Either way a task for one agent does not wake the thousands of others.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigil::central {

class TaskBroker {
public:
    using Wake = std::function<void()>;

    // Blocks until notify(agent_id) was called after `seen_generation`, the timeout passes or
    // shutdown() is called. Use generation() before checking storage to avoid lost wake-ups.
    void wait(const std::string& agent_id, uint64_t seen_generation, std::chrono::milliseconds timeout);
    // Calls `wake` once when notify(agent_id) happens after `seen_generation` or at shutdown —
    // at once (on this thread) when that already happened. `wake` runs on the notifying
    // thread without the broker's lock held; it must be quick (post work elsewhere).
    // Returns the id for cancel().
    uint64_t subscribe(const std::string& agent_id, uint64_t seen_generation, Wake wake);
    // Drops a subscription that has not fired yet; false when it fired or never existed.
    bool cancel(const std::string& agent_id, uint64_t subscription);

    uint64_t generation(const std::string& agent_id);
    void notify(const std::string& agent_id);
    // Wakes every agent waiting now, to look for tasks again: after notifications from other
    // nodes may have been missed (pg_task_watch.hpp).
    void notify_waiting();
    // An agent long-polls on one connection at a time, so when a new poll of it arrives, a
    // poll of it still waiting sits on a connection the agent gave up (cut by the host's
    // isolation, a NAT or proxy timeout): a task claimed by it would be written into nothing
    // and wait for redelivery. begin_poll() returns the new poll's ticket and wakes the older
    // ones; a poll whose ticket is superseded answers at once without claiming tasks.
    uint64_t begin_poll(const std::string& agent_id);
    bool superseded(const std::string& agent_id, uint64_t ticket) const;
    void shutdown();
    bool stopping() const;
    size_t waiting() const;  // agents currently waiting (for status)

private:
    struct Slot {
        std::condition_variable cv;
        int waiters = 0;
    };
    struct Subscriber {
        uint64_t id;
        Wake wake;
    };
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Slot>> slots_;
    std::unordered_map<std::string, std::vector<Subscriber>> subscribers_;
    std::map<std::string, uint64_t> generations_;  // survives slot removal
    uint64_t next_subscription_ = 1;
    std::map<std::string, uint64_t> latest_poll_;  // ticket of each agent's newest poll
    bool stopping_ = false;

    // Advances the agent's generation and wakes its waiters; the subscribers to call after
    // the lock is released are moved into `woken`.
    void bump_locked(const std::string& agent_id, std::vector<Subscriber>& woken);
};

}  // namespace vigil::central
