// From bus message to batch: telemetry switch, exclusions, rate limit, OCSF
// conversion, and accumulation into gzip batches of at most max_batch_events
// that are due after max_send_delay. Called concurrently from the subscription
// threads; the uploader takes the sealed batches.
//
// A batch gets its batch_seq when it opens (one batch is open at a time, so
// batches close in sequence order) and is compressed while events are added:
// the body `{"agent_id":..,"batch_seq":N,"events":[...]}` is finished when the
// batch closes, so the uploader only sends.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exclusions.hpp"
#include "gzip.hpp"
#include "ocsf_converter.hpp"
#include "rate_limiter.hpp"
#include "sequence_store.hpp"

namespace kataedr {

struct SealedBatch {
    uint64_t seq = 0;
    uint32_t count = 0;
    uint64_t first_ns = 0;  // when the first event entered the batch
    std::string body;       // gzip of the telemetry request body
};

struct PipelineCounters {
    std::atomic<uint64_t> received{0};
    std::atomic<uint64_t> accepted{0};
    std::atomic<uint64_t> excluded{0};
    std::atomic<uint64_t> rate_limited{0};
    std::atomic<uint64_t> telemetry_off{0};
    std::atomic<uint64_t> malformed{0};
};

class TelemetryPipeline {
public:
    struct Options {
        bool telemetry_enabled = true;
        uint32_t max_batch_events = 1024;
        uint64_t max_delay_ns = 30ull * 1000000000ull;
        size_t max_full_batches = 64;  // memory bound; offer() waits beyond it
    };

    TelemetryPipeline(OcsfContext ctx, Options opt, const Exclusions* exclusions, RateLimiter* limiter,
                      SequenceStore* seq);

    // Returns true when a batch became full (the uploader should wake up).
    bool offer(const EventView& ev, uint64_t now);
    // Full batches, then the open one when `force` or when it is due.
    std::vector<SealedBatch> take_ready(uint64_t now, bool force);
    // Time the open batch becomes due, or UINT64_MAX when nothing waits.
    uint64_t next_due_ns() const;
    bool has_full() const;
    // Wakes threads waiting in offer() (at stop).
    void shutdown();

    const PipelineCounters& counters() const { return counters_; }

private:
    OcsfContext ctx_;
    Options opt_;
    const Exclusions* exclusions_;
    RateLimiter* limiter_;
    SequenceStore* seq_;
    PipelineCounters counters_;
    std::atomic<uint64_t> event_seq_;
    mutable std::mutex mu_;
    std::condition_variable space_;
    bool shutdown_ = false;
    void close_open_locked();
    // The open batch.
    std::unique_ptr<GzipStream> gz_;
    SealedBatch open_;
    std::deque<SealedBatch> full_;
};

}  // namespace kataedr
