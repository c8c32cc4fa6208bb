// What an event loop drives: one accepted connection's state machine (an
// intercepted web connection, a DNS-over-TCP session). The loop owns it in a
// slot, passes it its sockets' readiness and its deadline, and frees it
// after the batch in which it finished.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace vigil::web_threat {

class EventLoop;

// A socket and what is known of its readiness: set by epoll events, cleared
// when a call says EAGAIN (edge-triggered: no event comes again until then).
struct Side {
    int fd = -1;
    bool in = false, out = false;
};

class LoopTask {
public:
    explicit LoopTask(uint32_t slot) : slot_(slot) {}
    virtual ~LoopTask() = default;
    LoopTask(const LoopTask&) = delete;
    LoopTask& operator=(const LoopTask&) = delete;

    virtual void start() = 0;
    virtual void on_timeout() = 0;
    virtual bool done() const = 0;
    // Records a socket's readiness (an error or hang-up shows in the next
    // call on it), then lets the task move.
    void on_event(uint32_t role, uint32_t events);
    void resume() { advance(); }  // had work left (fairness budget)

    uint32_t slot() const { return slot_; }
    uint64_t timer_token = 0;  // the armed deadline (0: none)

protected:
    virtual void advance() = 0;  // does what readiness allows
    Side client_, up_;           // the accepted socket, the one to upstream

private:
    uint32_t slot_;
};

// Makes the task for a connection accepted on a listener.
using TaskFactory = std::function<std::unique_ptr<LoopTask>(EventLoop& loop, uint32_t slot, int fd)>;

struct Listener {
    int fd = -1;
    TaskFactory make;
};

}  // namespace vigil::web_threat
