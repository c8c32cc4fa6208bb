#include "upload_lane.hpp"

namespace vigil::kataedr {

UploadLane::UploadLane(std::shared_ptr<const ChannelConfig> config, ConnectionState* state)
    : channel_(std::move(config), state), thread_([this] { run(); }) {}

UploadLane::~UploadLane() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    channel_.abort();
    cv_.notify_one();
    thread_.join();
}

std::future<SendResult> UploadLane::submit(Job job) {
    std::packaged_task<SendResult(HttpsChannel&)> task(std::move(job));
    std::future<SendResult> result = task.get_future();
    {
        std::lock_guard lock(mu_);
        pending_ = std::move(task);
        has_job_ = true;
    }
    cv_.notify_one();
    return result;
}

void UploadLane::run() {
    std::unique_lock lock(mu_);
    while (true) {
        cv_.wait(lock, [this] { return has_job_ || stop_; });
        if (has_job_) {
            // A job still queued at stop runs too (an aborted channel fails it at once), so its
            // future is always fulfilled.
            auto task = std::move(pending_);
            has_job_ = false;
            lock.unlock();
            task(channel_);  // exceptions are stored in the future
            lock.lock();
            continue;
        }
        if (stop_) return;
    }
}

}  // namespace vigil::kataedr
