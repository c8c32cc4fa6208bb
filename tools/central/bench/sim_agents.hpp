#pragma once
// Simulated agents for vigil-bench central-agents: N keep-alive mTLS connections from one
// process on one Asio thread, each registering (sync) and then long-polling for tasks the
// way kataedr does. A task that arrives is timed against the moment the benchmark asked the
// operator API for it (expect()), which gives the wake-up latency end to end.
#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench_identity.hpp"

namespace vigil::central::bench {

struct SimStats {
    std::atomic<int> connected{0};  // TLS established and registered
    std::atomic<int> polling{0};    // a poll is outstanding
    std::atomic<long> polls{0};     // polls answered
    std::atomic<long> errors{0};    // connections lost (each is retried)

    // Called just before the task for `agent` is created.
    void expect(const std::string& agent, double now_s);
    // A poll of `agent` returned `tasks` tasks.
    void delivered(const std::string& agent, size_t tasks, double now_s);
    std::vector<double> wakeups_ms();
    size_t outstanding();

private:
    std::mutex mutex_;
    std::unordered_map<std::string, double> pending_;
    std::vector<double> wakeups_ms_;
};

class SimAgents {
public:
    // Starts connecting at once (at most `max_connecting` handshakes at a time). The agents
    // are agent_id(first_id) .. agent_id(first_id + count - 1).
    // Each agent presents its own certificate from `identity` (the server's agent CA).
    SimAgents(int port, const BenchIdentity& identity, int count, int wait_s, int max_connecting,
              int first_id = 0);
    ~SimAgents();
    SimAgents(const SimAgents&) = delete;
    SimAgents& operator=(const SimAgents&) = delete;

    static std::string agent_id(int i);
    SimStats& stats() { return stats_; }
    // Waits until `n` agents have a poll outstanding; false after `timeout_s`.
    bool wait_polling(int n, double timeout_s);

    // Used by the agents (on the I/O thread).
    void connected_one();
    SSL_CTX* tls() { return ctx_; }
    const BenchIdentity& identity() const { return identity_; }
    const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
    int wait_s() const { return wait_s_; }

private:
    void launch_more();

    boost::asio::io_context io_;
    const BenchIdentity& identity_;
    SSL_CTX* ctx_ = nullptr;
    boost::asio::ip::tcp::endpoint endpoint_;
    SimStats stats_;
    const int count_;
    const int wait_s_;
    const int max_connecting_;
    const int first_id_;
    int launched_ = 0;
    int connecting_ = 0;
    std::thread thread_;
};

}  // namespace vigil::central::bench
