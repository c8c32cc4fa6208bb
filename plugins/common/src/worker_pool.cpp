#include "vigil/common/worker_pool.hpp"

#include <exception>
#include <utility>

namespace vigil::common {

WorkerPool::WorkerPool(unsigned threads, size_t capacity, OnException on_exception)
    : capacity_(capacity), on_exception_(std::move(on_exception)) {
    stats_.threads = threads;
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::try_submit(std::function<void()> task) {
    {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_ || queue_.size() >= capacity_) {
            ++stats_.refused;
            return false;
        }
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

WorkerPool::Stats WorkerPool::stats() const {
    std::lock_guard<std::mutex> g(mu_);
    Stats s = stats_;
    s.queued = queue_.size();
    return s;
}

void WorkerPool::finish(const std::string* failure) {
    {
        std::lock_guard<std::mutex> g(mu_);
        --stats_.busy;
        ++stats_.done;
        if (failure) ++stats_.exceptions;
    }
    if (failure && on_exception_) on_exception_(*failure);
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
            ++stats_.busy;
        }
        std::string failure;
        bool failed = false;
        try {
            task();
        } catch (const std::exception& e) {
            failed = true;
            failure = e.what();
        } catch (...) {
            failed = true;
            failure = "unknown exception";
        }
        task = nullptr;  // its captures go before the next task starts
        finish(failed ? &failure : nullptr);
    }
}

}  // namespace vigil::common
