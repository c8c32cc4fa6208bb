#include "event_loop.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>


namespace vigil::web_threat {

namespace {

constexpr int kBatch = 256;
constexpr int kAcceptsPerWake = 64;  // then the other listeners and connections get a turn

uint64_t pack(uint32_t slot, uint32_t role) { return (uint64_t(slot) << 2) | role; }

}  // namespace

int64_t monotonic_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void reset_connection(int fd) {
    const linger l{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

EventLoop::EventLoop(const std::vector<Listener>& listeners, uint32_t max_connections, ServerCounters& counters,
                     size_t pipe_bytes)
    : listeners_(listeners),
      max_connections_(max_connections),
      counters_(counters),
      pipes_(pipe_bytes),
      scratch_(65536) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    for (size_t i = 0; i < listeners_.size(); ++i) {
        // Shared by every loop: EPOLLEXCLUSIVE wakes one of them per connection.
        epoll_event e{EPOLLIN | EPOLLEXCLUSIVE, {.u64 = pack(uint32_t(i), listener)}};
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, listeners_[i].fd, &e) != 0)
            throw std::runtime_error("epoll_ctl on a listener failed");
    }
}

EventLoop::~EventLoop() {
    slots_.clear();
    if (spare_fd_ >= 0) ::close(spare_fd_);
    ::close(epoll_);
}

bool EventLoop::watch(int fd, const LoopTask& c, Role role) {
    epoll_event e{EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, {.u64 = pack(c.slot(), role)}};
    return ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e) == 0;
}

void EventLoop::arm(LoopTask& c, int ms) {
    c.timer_token = next_token_++;
    deadlines_.push({monotonic_ms() + ms, c.slot(), c.timer_token});
}

void EventLoop::disarm(LoopTask& c) { c.timer_token = 0; }

void EventLoop::finish(LoopTask& c) { finished_.push_back(c.slot()); }

void EventLoop::again(LoopTask& c) { again_.push_back(c.slot()); }

void EventLoop::add_connection(const Listener& l, int fd) {
    counters_.accepted.fetch_add(1, std::memory_order_relaxed);
    if (counters_.active.load(std::memory_order_relaxed) >= max_connections_) {
        counters_.refused_busy.fetch_add(1, std::memory_order_relaxed);
        return reset_connection(fd);
    }
    counters_.active.fetch_add(1, std::memory_order_relaxed);
    uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = uint32_t(slots_.size());
        slots_.emplace_back();
    }
    slots_[slot] = l.make(*this, slot, fd);
    slots_[slot]->start();
}

void EventLoop::accept_all(const Listener& l) {
    const int fd = l.fd;
    for (int i = 0; i < kAcceptsPerWake; ++i) {
        const int c = ::accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0) {
            add_connection(l, c);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
            // Out of descriptors: the pending connection would wake every
            // loop again at once. Take it with the spare descriptor and reset it.
            ::close(spare_fd_);
            const int r = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (r >= 0) {
                counters_.refused_busy.fetch_add(1, std::memory_order_relaxed);
                reset_connection(r);
            }
            spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        return;  // EAGAIN: another loop took it, or none left
    }
}

void EventLoop::dispatch(const epoll_event& e) {
    const uint32_t slot = uint32_t(e.data.u64 >> 2), role = uint32_t(e.data.u64 & 3);
    if (role == listener) return accept_all(listeners_[slot]);
    LoopTask* c = at(slot);
    if (c && !c->done()) c->on_event(role, e.events);
}

void EventLoop::expire(int64_t now) {
    while (!deadlines_.empty() && deadlines_.top().at <= now) {
        const Deadline d = deadlines_.top();
        deadlines_.pop();
        LoopTask* c = at(d.slot);
        if (!c || c->done() || c->timer_token != d.token) continue;  // re-armed, cancelled or gone
        c->timer_token = 0;
        c->on_timeout();
    }
}

void EventLoop::run_again() {
    std::vector<uint32_t> now;
    now.swap(again_);
    for (uint32_t slot : now)
        if (LoopTask* c = at(slot); c && !c->done()) c->resume();
}

void EventLoop::free_finished() {
    for (uint32_t slot : finished_) {
        if (!slots_[slot]) continue;
        slots_[slot].reset();  // closes its sockets, returns its pipes
        free_slots_.push_back(slot);
        counters_.active.fetch_sub(1, std::memory_order_relaxed);
    }
    finished_.clear();
}

int EventLoop::poll_timeout(int64_t now, bool capped) const {
    if (!again_.empty()) return 0;
    int ms = capped ? 50 : -1;
    if (!deadlines_.empty()) {
        const int64_t left = std::max<int64_t>(0, deadlines_.top().at - now);
        if (ms < 0 || left < ms) ms = int(left);
    }
    return ms;
}

void EventLoop::run(const std::atomic<bool>* stop) {
    epoll_event events[kBatch];
    while (!stop || !stop->load()) {
        const int n = ::epoll_wait(epoll_, events, kBatch, poll_timeout(monotonic_ms(), stop != nullptr));
        if (n < 0 && errno != EINTR) throw std::runtime_error("epoll_wait failed");
        for (int i = 0; i < n; ++i) dispatch(events[i]);
        run_again();
        expire(monotonic_ms());
        free_finished();
    }
}

}  // namespace vigil::web_threat
