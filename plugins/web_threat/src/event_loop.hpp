// One event loop of the worker's TCP side: an epoll set (edge-triggered for
// connections, shared listeners with EPOLLEXCLUSIVE so one loop wakes per
// new connection), the loop's connections in a slot table, their deadlines
// in a heap (one per connection; a re-armed or cancelled deadline is dropped
// when it comes up), and the loop's pipe pool and read buffer. A connection
// that ended is freed after the batch of events it was in, so a later event
// of the same batch never reaches freed memory. The worker runs one loop
// per core (at most 4), all sharing the connection limit. What a connection
// is (web, DNS over TCP) is up to its listener's task factory.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <span>
#include <vector>

#include "loop_task.hpp"
#include "splice_pipe.hpp"

namespace vigil::web_threat {

struct ServerCounters {
    std::atomic<uint64_t> accepted{0}, refused_busy{0}, active{0};
};

class EventLoop {
public:
    enum Role : uint32_t { client = 0, upstream = 1, listener = 2 };

    // `pipe_bytes`: the capacity of the splice pipes (a direction's buffer).
    EventLoop(const std::vector<Listener>& listeners, uint32_t max_connections, ServerCounters& counters,
              size_t pipe_bytes);
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Serves until `stop` is set (checked at least every 50 ms), or forever.
    void run(const std::atomic<bool>* stop = nullptr);

    // For the connections of this loop.
    bool watch(int fd, const LoopTask& c, Role role);
    void arm(LoopTask& c, int ms);  // replaces the task's deadline
    void disarm(LoopTask& c);
    void finish(LoopTask& c);  // freed after the current batch
    void again(LoopTask& c);   // has work left: run it after the next poll
    PipePool& pipes() { return pipes_; }
    std::span<char> scratch() { return scratch_; }

private:
    struct Deadline {
        int64_t at;
        uint32_t slot;
        uint64_t token;
        bool operator>(const Deadline& o) const { return at > o.at; }
    };

    void accept_all(const Listener& l);
    void add_connection(const Listener& l, int fd);
    int poll_timeout(int64_t now, bool capped) const;
    void expire(int64_t now);
    void dispatch(const epoll_event& e);
    void run_again();
    void free_finished();
    LoopTask* at(uint32_t slot) const { return slot < slots_.size() ? slots_[slot].get() : nullptr; }

    std::vector<Listener> listeners_;
    uint32_t max_connections_;
    ServerCounters& counters_;
    int epoll_ = -1;
    int spare_fd_ = -1;  // given up to accept (and reset) a connection when out of descriptors
    std::vector<std::unique_ptr<LoopTask>> slots_;
    std::vector<uint32_t> free_slots_, finished_, again_;
    std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
    uint64_t next_token_ = 1;
    PipePool pipes_;
    std::vector<char> scratch_;
};

// Resets a connection at once (SO_LINGER 0): the client sees a refusal, not a hang.
void reset_connection(int fd);

int64_t monotonic_ms();

}  // namespace vigil::web_threat
