#pragma once
// Cross-node task wake-up for PgStorage: every task insert sends NOTIFY vigil_tasks with the
// agent id (in the insert's own statement: delivered at its commit, never from ingest), and
// each node keeps one dedicated connection LISTENing, which wakes the agent's long poll
// through the node's TaskBroker. PostgreSQL does not replay notifications: after the
// connection is (re)made, every agent waiting on this node is woken to look for tasks again
// (its poll re-queries the database); the long-poll timeout remains the safety net.
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace vigil::central {

inline constexpr const char* kTaskChannel = "vigil_tasks";

class PgTaskWatch {
public:
    using WakeAgent = std::function<void(const std::string& agent_id)>;
    using WakeAll = std::function<void()>;
    // Starts the listening thread; connection problems are retried every second (logged once
    // per outage), never thrown.
    PgTaskWatch(std::string url, std::string password, WakeAgent wake_agent, WakeAll wake_all);
    ~PgTaskWatch();  // stops and joins the thread
    PgTaskWatch(const PgTaskWatch&) = delete;
    PgTaskWatch& operator=(const PgTaskWatch&) = delete;

    uint64_t connects() const { return connects_.load(); }  // (re)connections made so far

private:
    void run();
    bool listen_once();  // one connection's life; false when stopping
    std::string url_;
    std::string password_;
    WakeAgent wake_agent_;
    WakeAll wake_all_;
    std::atomic<bool> stop_{false};
    std::atomic<uint64_t> connects_{0};
    int wake_fd_ = -1;  // eventfd: interrupts the wait at shutdown
    std::thread thread_;
};

}  // namespace vigil::central
