#pragma once
// What every connection of the event-driven server shares: the API, the worker pool that
// runs it (storage calls never run on the I/O threads), the memory budget, the connection
// limits, the TLS context, the timeouts, and the registry shutdown uses to reach idle
// connections.
#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent_ca.hpp"
#include "api.hpp"
#include "connection_limits.hpp"
#include "log_limiter.hpp"
#include "memory_budget.hpp"

namespace vigil::central {

class HttpSession;

struct TransportSettings {
    std::chrono::seconds handshake_timeout{10};   // TCP accept → TLS established
    std::chrono::seconds header_timeout{10};      // first byte of a request → end of its head
    std::chrono::seconds keep_alive_timeout{75};  // idle between requests
    std::chrono::seconds body_timeout{600};       // longest a body (or a response) may take
    std::chrono::seconds rate_grace{10};          // before the minimum rate applies
    uint64_t min_rate = 8192;                     // bytes/s a body or response must average
    size_t header_limit = 16 * 1024;
};

struct ServerContext {
    ServerContext(Api& a, TaskBroker& b, const AgentCa& ca, boost::asio::thread_pool& w, MemoryBudget& m,
                  ConnectionLimits& l, SSL_CTX* t, std::string spool, TransportSettings ts, bool v)
        : api(a),
          broker(b),
          agent_ca(ca),
          workers(w),
          budget(m),
          limits(l),
          tls(t),
          spool_dir(std::move(spool)),
          transport(ts),
          verbose(v) {}

    Api& api;
    TaskBroker& broker;
    const AgentCa& agent_ca;  // recognises agent certificates (Request::peer)
    boost::asio::thread_pool& workers;
    MemoryBudget& budget;
    ConnectionLimits& limits;
    SSL_CTX* tls;
    std::string spool_dir;  // uploads are spooled here before the API verifies them
    TransportSettings transport;
    bool verbose = false;

    LogLimiter client_errors{20, std::chrono::seconds(10)};  // 4xx answers, refused peers
    std::atomic<bool> stopping{false};
    std::atomic<int> busy{0};  // requests between their head and their answer
    // Connections draining the unread body of a refused request (HttpSession::linger) and
    // how many may do so at once: draining is work for a peer being refused, which must not
    // grow with the number of refused peers.
    std::atomic<int> lingering{0};
    static constexpr int kMaxLingering = 32;

    // Live sessions, so shutdown can close the idle ones.
    void add(HttpSession* s, const std::shared_ptr<HttpSession>& p);
    void remove(HttpSession* s);
    std::vector<std::shared_ptr<HttpSession>> sessions();
    size_t session_count();

private:
    std::mutex mutex_;
    std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions_;
};

}  // namespace vigil::central
