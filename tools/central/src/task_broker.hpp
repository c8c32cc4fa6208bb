#pragma once
// Wakes long-polling agents when a task is created for them. One condition variable per
// waiting agent (created on demand, dropped when nobody waits), so a task for one agent
// does not wake the thousands of others.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace vigil::central {

class TaskBroker {
public:
    // Blocks until notify(agent_id) was called after `seen_generation`, the timeout passes or
    // shutdown() is called. Use generation() before checking storage to avoid lost wake-ups.
    void wait(const std::string& agent_id, uint64_t seen_generation, std::chrono::milliseconds timeout);
    uint64_t generation(const std::string& agent_id);
    void notify(const std::string& agent_id);
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
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Slot>> slots_;
    std::map<std::string, uint64_t> generations_;  // survives slot removal
    std::map<std::string, uint64_t> latest_poll_;  // ticket of each agent's newest poll
    bool stopping_ = false;
};

}  // namespace vigil::central
