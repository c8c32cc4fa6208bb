#include "telemetry_pipeline.hpp"

#include <chrono>
#include <limits>

#include "connection_state.hpp"

namespace kataedr {

TelemetryPipeline::TelemetryPipeline(OcsfContext ctx, Options opt, const Exclusions* exclusions,
                                     RateLimiter* limiter, SequenceStore* seq)
    : ctx_(std::move(ctx)),
      opt_(opt),
      exclusions_(exclusions),
      limiter_(limiter),
      seq_(seq),
      // Event sequence numbers start at the wall clock in ns so they keep
      // increasing across restarts without persisting them (metadata.uid).
      event_seq_(now_ns()) {}

bool TelemetryPipeline::offer(const EventView& ev, uint64_t now) {
    counters_.received.fetch_add(1, std::memory_order_relaxed);
    if (!convertible_type(ev.type_id)) return false;
    if (is_telemetry_type(ev.type_id)) {
        if (!opt_.telemetry_enabled) {
            counters_.telemetry_off.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        if (exclusions_ && !exclusions_->empty()) {
            ActorRef a = actor_of(ev);
            if (exclusions_->excluded(a.exe, a.cmdline)) {
                counters_.excluded.fetch_add(1, std::memory_order_relaxed);
                return false;
            }
        }
        if (limiter_ && limiter_->admit(event_kind(ev), now) != RateLimiter::Verdict::accept) {
            counters_.rate_limited.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
    }
    // One conversion buffer per subscription thread: no allocation per event.
    thread_local std::string json;
    json.clear();
    if (!append_ocsf(ctx_, ev, event_seq_.fetch_add(1, std::memory_order_relaxed), json)) {
        counters_.malformed.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    std::unique_lock<std::mutex> g(mu_);
    while (!shutdown_ && full_.size() >= opt_.max_full_batches)
        space_.wait_for(g, std::chrono::milliseconds(100));
    if (open_.count == 0) {
        open_.seq = seq_->next();
        open_.first_ns = now;
        gz_ = std::make_unique<GzipStream>(1);
        // agent_id is a UUID from the host: nothing to escape.
        gz_->append("{\"agent_id\":\"" + ctx_.agent_id + "\",\"batch_seq\":" + std::to_string(open_.seq) +
                    ",\"events\":[");
    } else {
        gz_->append(",");
    }
    gz_->append(json);
    ++open_.count;
    counters_.accepted.fetch_add(1, std::memory_order_relaxed);
    if (open_.count >= opt_.max_batch_events) {
        close_open_locked();
        return true;
    }
    return false;
}

void TelemetryPipeline::close_open_locked() {
    open_.body = gz_->finish("]}");
    gz_.reset();
    full_.push_back(std::move(open_));
    open_ = SealedBatch{};
}

std::vector<SealedBatch> TelemetryPipeline::take_ready(uint64_t now, bool force) {
    std::vector<SealedBatch> out;
    std::lock_guard<std::mutex> g(mu_);
    while (!full_.empty()) {
        out.push_back(std::move(full_.front()));
        full_.pop_front();
    }
    if (open_.count > 0 && (force || now >= open_.first_ns + opt_.max_delay_ns)) {
        close_open_locked();
        out.push_back(std::move(full_.back()));
        full_.pop_back();
    }
    space_.notify_all();
    return out;
}

uint64_t TelemetryPipeline::next_due_ns() const {
    std::lock_guard<std::mutex> g(mu_);
    if (!full_.empty()) return 0;
    if (open_.count == 0) return std::numeric_limits<uint64_t>::max();
    return open_.first_ns + opt_.max_delay_ns;
}

bool TelemetryPipeline::has_full() const {
    std::lock_guard<std::mutex> g(mu_);
    return !full_.empty();
}

void TelemetryPipeline::shutdown() {
    std::lock_guard<std::mutex> g(mu_);
    shutdown_ = true;
    space_.notify_all();
}

}  // namespace kataedr
