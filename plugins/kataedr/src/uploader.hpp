// The uploader thread: takes sealed batches from the pipeline, sends heartbeats and
// telemetry, and keeps strict order through outages: while the server cannot
// be reached every sealed batch goes to the disk spool, and when it answers
// again the spool drains, oldest first, before anything newer is sent.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "https_channel.hpp"
#include "sequence_store.hpp"
#include "spool.hpp"
#include "telemetry_pipeline.hpp"

namespace kataedr {

struct UploaderCounters {
    std::atomic<uint64_t> batches_sent{0};
    std::atomic<uint64_t> events_sent{0};
    std::atomic<uint64_t> duplicates{0};
    std::atomic<uint64_t> batches_rejected{0};
    std::atomic<uint64_t> events_rejected{0};
    std::atomic<uint64_t> syncs{0};
    std::atomic<uint64_t> spool_errors{0};
};

class Uploader {
public:
    struct Options {
        std::string agent_id;
        uint64_t sync_period_ns = 300ull * 1000000000ull;
        uint64_t max_retry_ns = 30ull * 1000000000ull;  // offline retry back-off cap
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
    enum class SendResult { delivered, rejected, failed };

    void run();
    bool do_sync();
    SendResult send_batch(const Sealed& b);
    bool drain_spool();
    bool drain_outbox();
    void spill_outbox();

    Options opt_;
    TelemetryPipeline& pipeline_;
    Spool& spool_;
    HttpsChannel channel_;
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

}  // namespace kataedr
