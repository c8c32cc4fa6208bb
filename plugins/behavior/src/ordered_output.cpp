#include "ordered_output.hpp"

#include <chrono>

namespace vigil::behavior {

OrderedOutput::OrderedOutput(size_t max_queued) : max_queued_(max_queued ? max_queued : 1) {
    thread_ = std::thread([this] { run(); });
}

OrderedOutput::~OrderedOutput() { stop(); }

bool OrderedOutput::try_now(const std::shared_ptr<const Completion>& wait) {
    if (wait && !wait->done()) return false;
    // The same answer as reading queue_.empty() under the lock, without taking it for
    // every event.
    return queued_.load(std::memory_order_acquire) == 0;
}

bool OrderedOutput::enqueue(const std::shared_ptr<const Completion>& wait, std::function<void()> publish) {
    {
        std::lock_guard g(mu_);
        if (queue_.size() >= 2 * max_queued_ || stopping_) {
            ++stats_.dropped;
            return false;
        }
        if (queue_.size() >= max_queued_) flushing_ = true;
        queue_.push_back(Entry{wait, std::move(publish)});
        queued_.store(queue_.size(), std::memory_order_release);
        ++stats_.queued_total;
    }
    cv_.notify_one();
    return true;
}

void OrderedOutput::wake() {
    std::lock_guard g(mu_);
    cv_.notify_one();
}

bool OrderedOutput::ready_locked(const Entry& e, uint64_t now) const {
    return stopping_ || flushing_ || !e.wait || e.wait->done() || now >= e.wait->deadline_ns();
}

void OrderedOutput::run() {
    std::unique_lock l(mu_);
    for (;;) {
        if (queue_.empty()) {
            if (stopping_) return;
            cv_.wait(l);
            continue;
        }
        Entry& front = queue_.front();
        uint64_t now = monotonic_ns();
        if (!ready_locked(front, now)) {
            cv_.wait_for(l, std::chrono::nanoseconds(front.wait->deadline_ns() - now));
            continue;
        }
        if (front.wait && !front.wait->done()) ++stats_.expired;
        // The entry stays queued while it is published, so that a sensor thread does not
        // publish a newer event first (try_now sees a non-empty queue).
        auto publish = std::move(front.publish);
        l.unlock();
        try {
            publish();
        } catch (...) {
            // The publisher counts its own failures; one event must not stop the thread.
        }
        l.lock();
        queue_.pop_front();
        queued_.store(queue_.size(), std::memory_order_release);
        if (flushing_ && queue_.size() <= max_queued_ / 2) flushing_ = false;
    }
}

void OrderedOutput::stop() {
    {
        std::lock_guard g(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

OrderedOutput::Stats OrderedOutput::stats() const {
    std::lock_guard g(mu_);
    Stats s = stats_;
    s.queued_now = queue_.size();
    return s;
}

}  // namespace vigil::behavior
