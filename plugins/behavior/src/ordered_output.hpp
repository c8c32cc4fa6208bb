// Publishes events in the order the sensors produced them while letting an event wait,
// for a bounded time, for a background job that completes its process context (the
// executable's hash, the full command line). Sensor threads never wait here:
//   - nothing queued and nothing to wait for: the event is published on the caller's
//     thread at once (the common case, no thread hop);
//   - otherwise it is queued, and a publisher thread sends each queued event when its
//     job is done or its deadline passed, whichever comes first; events queued behind one
//     that waits keep their place.
// The queue is bounded: past `max_queued` every deadline is treated as passed until it
// drains; past twice that, new events are counted as lost instead of queued.
#pragma once

#include "process/completion.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace vigil::behavior {

class OrderedOutput {
public:
    // A queued event costs about 320 bytes of heap (its publish closure and the event's
    // strings; heaptrack of vigild under a file-event burst). 65,536, dropping past
    // 131,072, let a burst hold 41 MiB, which stayed resident as fragmentation after the
    // queue drained; 16,384 holds at most about 10 MiB.
    static constexpr size_t kDefaultMaxQueued = 16384;
    explicit OrderedOutput(size_t max_queued = kDefaultMaxQueued);
    ~OrderedOutput();
    OrderedOutput(const OrderedOutput&) = delete;
    OrderedOutput& operator=(const OrderedOutput&) = delete;

    // Publishes through `publish` (now or later, see above). Returns false when the event
    // was dropped because the queue is full.
    template <class F>
    bool submit(const std::shared_ptr<const Completion>& wait, F&& publish) {
        if (try_now(wait)) {
            publish();
            return true;
        }
        return enqueue(wait, std::function<void()>(std::forward<F>(publish)));
    }

    // A job finished: queued events may be ready.
    void wake();
    // Publishes everything still queued (without waiting) and ends the thread.
    void stop();

    struct Stats {
        uint64_t queued_total = 0;  // events that were queued at all
        uint64_t expired = 0;       // published before their job finished
        uint64_t dropped = 0;       // queue full
        size_t queued_now = 0;
    };
    Stats stats() const;

private:
    struct Entry {
        std::shared_ptr<const Completion> wait;
        std::function<void()> publish;
    };
    bool try_now(const std::shared_ptr<const Completion>& wait);
    bool enqueue(const std::shared_ptr<const Completion>& wait, std::function<void()> publish);
    bool ready_locked(const Entry& e, uint64_t now) const;
    void run();

    const size_t max_queued_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Entry> queue_;
    std::atomic<size_t> queued_{0};  // queue_.size(), for try_now
    bool stopping_ = false, flushing_ = false;
    Stats stats_;
    std::thread thread_;
};

}  // namespace vigil::behavior
