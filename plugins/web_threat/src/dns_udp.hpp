// The forwarder's UDP side as one event loop (epoll, non-blocking sockets):
// queries arrive on the worker's bound UDP sockets; a listed name is
// answered at once (judge_dns_query); any other query goes to the first
// upstream on a socket of its own (a fresh source port per query, as a
// stub resolver does: an off-path forger must guess the port as well as
// the id), watched by the same loop with a deadline. No answer by
// `timeout_ms`, or the upstream refusing (ICMP port unreachable), moves the
// query to the next upstream; the first answer with the query's id goes
// back to the client. At most `max_inflight` queries wait for upstreams at
// once; more are dropped (the client retries). No thread per query.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>
#include <sys/socket.h>

#include "dns_forwarder.hpp"

namespace vigil::web_threat {

class DnsUdpForwarder {
public:
    DnsUdpForwarder(const std::vector<int>& sockets, const Policy& policy, const DnsConfig& config,
                    Reporter* reporter);
    ~DnsUdpForwarder();
    DnsUdpForwarder(const DnsUdpForwarder&) = delete;
    DnsUdpForwarder& operator=(const DnsUdpForwarder&) = delete;

    // Serves until `stop` is set (checked at least every 50 ms), or forever.
    void run(const std::atomic<bool>* stop = nullptr);
    size_t inflight() const { return inflight_.load(std::memory_order_relaxed); }

private:
    struct Pending {
        int fd = -1;  // the upstream socket; -1: a free slot
        int listener = -1;
        sockaddr_storage client{};
        socklen_t client_len = 0;
        std::string msg;
        size_t upstream = 0;  // index in config.upstreams
        uint64_t token = 0;   // which attempt the deadline belongs to
    };
    struct Deadline {
        int64_t at;
        uint32_t slot;
        uint64_t token;
    };

    void read_queries(int listener);
    void query(int listener, const sockaddr_storage& from, socklen_t len, std::string_view msg);
    void ask_next(uint32_t slot);  // from p.upstream on; frees the slot when none is left
    void read_answer(uint32_t slot);
    void release(uint32_t slot);
    void expire(int64_t now);

    std::vector<int> listeners_;
    const Policy& policy_;
    const DnsConfig& config_;
    Reporter* reporter_;
    int epoll_ = -1;
    std::vector<Pending> slots_;
    std::vector<uint32_t> free_;
    std::deque<Deadline> deadlines_;  // every attempt waits the same time: in order
    uint64_t next_token_ = 1;
    std::atomic<size_t> inflight_{0};  // read by tests from another thread
    std::vector<char> buf_;
};

}  // namespace vigil::web_threat
