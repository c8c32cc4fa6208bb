// From bus message to batch: telemetry switch, exclusions, rate limit, OCSF
// conversion, and accumulation into gzip batches of at most max_batch_events
// that are due after max_send_delay. Called concurrently from the subscription
// threads; the uploader takes the sealed batches.
//
// A batch gets its batch_seq when it opens (one batch is open at a time, so
// batches close in sequence order) and is compressed while events are added:
// the body `{"agent_id":..,"batch_seq":N,"events":[...]}` is finished when the
// batch closes, so the uploader only sends. A batch is also sealed before it would pass
// max_batch_bytes uncompressed or max_batch_compressed_bytes compressed (both below
// what the central node accepts), and every event is capped in size (EventLimits).
//
// Telemetry of a process tree with a detection (DetectionTrees) bypasses exclusions and
// the rate limit. When the limiter starts dropping, its notices go into the batch as
// "telemetry_limited" events.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "detection_trees.hpp"
#include "exclusions.hpp"
#include "gzip.hpp"
#include "ocsf_converter.hpp"
#include "rate_limiter.hpp"
#include "sequence_store.hpp"

namespace vigil::kataedr {

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
    std::atomic<uint64_t> oversize{0};          // telemetry events still too big after cutting
    std::atomic<uint64_t> protected_events{0};  // telemetry of trees with a detection
    std::atomic<uint64_t> limit_notices{0};     // telemetry_limited events sent
};

class TelemetryPipeline {
public:
    struct Options {
        bool telemetry_enabled = true;
        uint32_t max_batch_events = 1024;
        uint64_t max_delay_ns = 30ull * 1000000000ull;
        size_t max_full_batches = 64;  // memory bound; offer() waits beyond it
        uint64_t max_batch_bytes = 16ull << 20;           // uncompressed body
        uint64_t max_batch_compressed_bytes = 16ull << 20;  // gzip body
        EventLimits event_limits{8192, 65536};
    };

    TelemetryPipeline(OcsfContext ctx, Options opt, const Exclusions* exclusions, RateLimiter* limiter,
                      SequenceStore* seq, DetectionTrees* trees = nullptr);

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
    // Adds one converted event to the open batch, sealing it first when the event would
    // not fit. Returns true when a batch became full.
    bool add_locked(const std::string& json, uint64_t now);
    // False when the telemetry event must not be sent (telemetry off, excluded, limited).
    bool admit_telemetry(const EventView& ev, uint64_t now);
    bool add_notices(uint64_t now);
    uint64_t open_bytes_ = 0;  // uncompressed size of the open batch
    DetectionTrees* trees_;
    // The open batch.
    std::unique_ptr<GzipStream> gz_;
    SealedBatch open_;
    std::deque<SealedBatch> full_;
};

}  // namespace vigil::kataedr
