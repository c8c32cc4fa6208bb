#include "worker_pool.hpp"

namespace file_threat {

WorkerPool::WorkerPool(unsigned threads, size_t capacity) : capacity_(capacity) {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::try_submit(std::function<void()> task) {
    {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_ || queue_.size() >= capacity_) return false;
        queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
}

void WorkerPool::stop() {
    std::deque<std::function<void()>> dropped;
    {
        std::lock_guard<std::mutex> g(mu_);
        stopping_ = true;
        dropped.swap(queue_);
    }
    cv_.notify_all();
    dropped.clear();  // outside the lock: destructors may do I/O
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

size_t WorkerPool::queued() const {
    std::lock_guard<std::mutex> g(mu_);
    return queue_.size();
}

void WorkerPool::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock<std::mutex> lk(mu_);
            cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        try {
            task();
        } catch (...) {
        }
    }
}

}  // namespace file_threat
