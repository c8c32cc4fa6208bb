#include "subscription.hpp"

#include <vector>

#include "log.hpp"

namespace vigil::core {

Subscription::Subscription(uint64_t id, uint32_t type, uint32_t capacity, vigil_overflow_policy policy,
                           Deliver deliver, std::string owner, SubscriberCounters* counters)
    : id_(id),
      type_(type),
      capacity_(capacity),
      policy_(policy),
      deliver_(std::move(deliver)),
      owner_(std::move(owner)),
      counters_(counters) {}

Subscription::~Subscription() { stop(); }

bool Subscription::push(const MessageRef& m) {
    bool notify;
    {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_) {
            discarded_.fetch_add(1, std::memory_order_relaxed);
            return true;
        }
        if (!m.critical() && queue_.size() >= capacity_) {
            if (policy_ == VIGIL_OVERFLOW_DROP_NEWEST) {
                dropped_.fetch_add(1, std::memory_order_relaxed);
                if (counters_) counters_->dropped.fetch_add(1, std::memory_order_relaxed);
                return false;
            }
            // Drop the oldest telemetry message; critical ones stay.
            bool removed = false;
            for (auto it = queue_.begin(); it != queue_.end(); ++it) {
                if (!it->critical()) {
                    queue_.erase(it);
                    removed = true;
                    break;
                }
            }
            dropped_.fetch_add(1, std::memory_order_relaxed);
            if (counters_) counters_->dropped.fetch_add(1, std::memory_order_relaxed);
            if (!removed) return false;  // the queue holds only critical messages: drop the new telemetry
            queue_.push_back(m);
            notify = waiting_;
            if (notify) waiting_ = false;
        } else {
            queue_.push_back(m);
            notify = waiting_;
            if (notify) waiting_ = false;
        }
    }
    if (notify) cv_.notify_one();
    return true;
}

void Subscription::start() {
    std::lock_guard<std::mutex> g(mu_);
    if (thread_.joinable() || stopping_) return;
    finished_.store(false, std::memory_order_release);
    thread_ = std::thread([this] { run(); });
}

bool Subscription::on_delivery_thread() {
    std::lock_guard<std::mutex> g(mu_);
    return thread_.joinable() && thread_.get_id() == std::this_thread::get_id();
}

void Subscription::stop(std::chrono::milliseconds drain) {
    {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
        drain_until_ = std::chrono::steady_clock::now() + drain;
    }
    cv_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
    else if (thread_.joinable()) thread_.detach();
    std::lock_guard<std::mutex> g(mu_);
    discarded_ += queue_.size();
    queue_.clear();
}

size_t Subscription::depth() {
    std::lock_guard<std::mutex> g(mu_);
    return queue_.size();
}

void Subscription::run() {
    // Declared first, so it is set after every other local is gone.
    struct Finished {
        std::atomic<bool>& flag;
        ~Finished() { flag.store(true, std::memory_order_release); }
    } finished{finished_};
    std::vector<MessageRef> batch;
    batch.reserve(256);
    for (;;) {
        {
            std::unique_lock<std::mutex> lk(mu_);
            while (queue_.empty() && !stopping_) {
                waiting_ = true;
                cv_.wait(lk);
            }
            if (stopping_ && (queue_.empty() || std::chrono::steady_clock::now() >= drain_until_)) return;
            size_t n = std::min<size_t>(queue_.size(), 256);
            for (size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        // busy_ + delivered_ are the progress the watchdog reads: busy with
        // an unchanged count for long means a callback is stuck.
        busy_.store(true, std::memory_order_relaxed);
        for (auto& m : batch) {
            try {
                deliver_(m.env());
            } catch (...) {
                log_error(owner_, "subscriber callback threw; message skipped");
            }
            delivered_.fetch_add(1, std::memory_order_relaxed);
        }
        busy_.store(false, std::memory_order_relaxed);
        if (counters_) counters_->delivered.fetch_add(batch.size(), std::memory_order_relaxed);
        batch.clear();
    }
}

}  // namespace vigil::core
