// The uploader thread: takes sealed batches from the pipeline, sends heartbeats and
// telemetry, and keeps strict order through outages: while the server cannot
// be reached every sealed batch goes to the disk spool, and when it answers
// again the spool drains, oldest first, before anything newer is sent. Up to
// `parallel_uploads` sealed batches are in flight at once, each on its own connection (see
// upload_lane.hpp); a batch that fails is kept, in order, ahead of everything newer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "https_channel.hpp"
#include "sequence_store.hpp"
#include "spool.hpp"
#include "telemetry_pipeline.hpp"
#include "upload_lane.hpp"

#include <vigil/common/status_metrics.hpp>

namespace vigil::kataedr {

struct UploaderCounters {
    std::atomic<uint64_t> batches_sent{0};
    std::atomic<uint64_t> events_sent{0};
    std::atomic<uint64_t> duplicates{0};
    std::atomic<uint64_t> batches_rejected{0};
    std::atomic<uint64_t> events_rejected{0};
    std::atomic<uint64_t> syncs{0};
    std::atomic<uint64_t> spool_errors{0};
    std::atomic<uint64_t> batches_split{0};  // refused batches sent again as two halves
    vigil::common::Histogram upload_seconds{vigil::common::Histogram::network_latency_bounds()};
};

class Uploader {
public:
    struct Options {
        std::string agent_id;
        uint64_t sync_period_ns = 300ull * 1000000000ull;
        uint64_t max_retry_ns = 30ull * 1000000000ull;  // offline retry back-off cap
        unsigned parallel_uploads = 2;                   // telemetry batches in flight (≥ 1)
    };
    using LogFn = std::function<void(int level, const std::string&)>;

    Uploader(Options opt, TelemetryPipeline& pipeline, Spool& spool,
             std::shared_ptr<const ChannelConfig> channel, ConnectionState& state,
             std::function<std::string()> sync_body, LogFn log);
    ~Uploader();

    void start();
    // Ends the thread promptly; batches not yet sent are written to the spool.
    void stop();
    void wake();
    // Asks for a heartbeat at the next opportunity.
    void request_sync();

    const UploaderCounters& counters() const { return counters_; }

private:
    struct Sealed {
        uint64_t seq = 0;
        uint32_t events = 0;
        std::string body;  // gzip
    };
    static Sealed from(SealedBatch&& b) { return Sealed{b.seq, b.count, std::move(b.body)}; }
    void run();
    // Enrolls or renews the agent's certificate when needed; false while it has none.
    bool ensure_identity();
    bool do_sync();
    // `may_register`: on 404 (agent unknown) sync and resend; only on the uploader's thread.
    SendResult send_batch(const Sealed& b, HttpsChannel& channel, bool may_register);
    SendResult resend_split(const Sealed& b, HttpsChannel& channel, bool may_register, const std::string& why);
    bool drain_spool();
    bool drain_outbox();
    void spill_outbox();

    Options opt_;
    TelemetryPipeline& pipeline_;
    Spool& spool_;
    std::shared_ptr<const ChannelConfig> channel_config_;
    HttpsChannel channel_;
    std::vector<std::unique_ptr<UploadLane>> lanes_;  // parallel_uploads - 1, while started
    ConnectionState& state_;
    std::function<std::string()> sync_body_;
    LogFn log_;
    UploaderCounters counters_;

    std::mutex mu_;
    std::condition_variable cv_;
    bool woken_ = false;
    std::atomic<bool> stop_{false};
    std::atomic<bool> sync_requested_{false};
    bool synced_ = false;
    std::deque<Sealed> outbox_;  // uploader thread only
    std::thread thread_;
};

}  // namespace vigil::kataedr
