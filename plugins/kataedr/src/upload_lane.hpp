// A second (third, …) connection to the central node with a thread of its own, so the
// uploader can have more than one telemetry batch in flight. The central node stores
// a batch in one transaction before it answers; with a single connection the agent idles
// for that whole time and the server uses one core. Each lane keeps its own keep-alive
// HTTPS session (Poco sessions are not thread-safe) and runs one job at a time.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "https_channel.hpp"

namespace vigil::kataedr {

// The outcome of sending one telemetry batch. `unknown_agent`: the server answered 404 for
// an agent it does not know; only the uploader's own thread registers (syncs) and resends.
enum class SendResult { delivered, rejected, failed, unknown_agent };

// After the first results.size() batches of `queue` were sent at once: drops the delivered
// and rejected ones and keeps the failed ones at the front, in their order, ahead of all
// newer batches. Returns true when none failed.
template <class Batch>
bool settle_sent(std::deque<Batch>& queue, const std::vector<SendResult>& results) {
    std::vector<Batch> kept;
    for (size_t i = 0; i < results.size() && i < queue.size(); ++i)
        if (results[i] == SendResult::failed || results[i] == SendResult::unknown_agent)
            kept.push_back(std::move(queue[i]));
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(std::min(results.size(), queue.size())));
    queue.insert(queue.begin(), std::make_move_iterator(kept.begin()), std::make_move_iterator(kept.end()));
    return kept.empty();
}

class UploadLane {
public:
    using Job = std::function<SendResult(HttpsChannel&)>;

    UploadLane(std::shared_ptr<const ChannelConfig> config, ConnectionState* state);
    ~UploadLane();
    UploadLane(const UploadLane&) = delete;
    UploadLane& operator=(const UploadLane&) = delete;

    // Runs `job` on the lane's thread with the lane's channel; at most one job at a time
    // (the caller waits for the future before submitting again).
    std::future<SendResult> submit(Job job);
    // Ends a blocked request and refuses new ones (thread-safe); a lane is not reused after
    // this: the uploader makes new lanes when it starts again.
    void abort() { channel_.abort(); }

private:
    void run();

    HttpsChannel channel_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::packaged_task<SendResult(HttpsChannel&)> pending_;
    bool has_job_ = false;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace vigil::kataedr
