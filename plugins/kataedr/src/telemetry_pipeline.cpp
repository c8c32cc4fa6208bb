#include "telemetry_pipeline.hpp"

#include <chrono>
#include <limits>

#include <vigil/events.h>

#include "connection_state.hpp"

namespace vigil::kataedr {

TelemetryPipeline::TelemetryPipeline(OcsfContext ctx, Options opt, const Exclusions* exclusions,
                                     RateLimiter* limiter, SequenceStore* seq, DetectionTrees* trees)
    : ctx_(std::move(ctx)),
      opt_(opt),
      exclusions_(exclusions),
      limiter_(limiter),
      seq_(seq),
      // Event sequence numbers start at the wall clock in ns so they keep
      // increasing across restarts without persisting them (metadata.uid).
      event_seq_(now_ns()),
      trees_(trees) {}

bool TelemetryPipeline::admit_telemetry(const EventView& ev, uint64_t now) {
    if (!opt_.telemetry_enabled) {
        counters_.telemetry_off.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    ProcessRef p = process_of(ev);
    DetectionTrees::Proc proc{p.pid, p.ppid, p.uid, p.key};
    if (trees_ && ev.type_id == VIGIL_TYPE_PROCESS_START) trees_->observe(proc);
    if (trees_ && p.present && trees_->protects(proc, now)) {
        counters_.protected_events.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    if (exclusions_ && !exclusions_->empty()) {
        ActorRef a = actor_of(ev);
        if (exclusions_->excluded(a.exe, a.cmdline)) {
            counters_.excluded.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
    }
    uint32_t owner = p.present ? p.uid : RateLimiter::kNoOwner;
    if (limiter_ && limiter_->admit(owner, event_kind(ev), now) != RateLimiter::Verdict::accept) {
        counters_.rate_limited.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

bool TelemetryPipeline::add_notices(uint64_t now) {
    if (!limiter_ || !limiter_->has_notices()) return false;
    bool full = false;
    for (const auto& n : limiter_->take_notices()) {
        std::string json;
        LimitNotice ln{n.summary, n.owner, n.type, n.reason, n.window_start_ns, n.dropped, n.limit};
        append_limit_notice(ctx_, ln, event_seq_.fetch_add(1, std::memory_order_relaxed), now, json);
        std::unique_lock<std::mutex> g(mu_);
        full = add_locked(json, now) || full;
        counters_.limit_notices.fetch_add(1, std::memory_order_relaxed);
    }
    return full;
}

bool TelemetryPipeline::offer(const EventView& ev, uint64_t now) {
    counters_.received.fetch_add(1, std::memory_order_relaxed);
    if (!convertible_type(ev.type_id)) return false;
    if (trees_ && ev.type_id == VIGIL_TYPE_THREAT) {
        ProcessRef p = process_of(ev);
        if (p.present) trees_->protect({p.pid, p.ppid, p.uid, p.key}, now);
    }
    if (is_telemetry_type(ev.type_id) && !admit_telemetry(ev, now)) return add_notices(now);
    // One conversion buffer per subscription thread: no allocation per event.
    thread_local std::string json;
    json.clear();
    if (!append_ocsf(ctx_, ev, event_seq_.fetch_add(1, std::memory_order_relaxed), json, opt_.event_limits)) {
        auto& c = is_telemetry_type(ev.type_id) && valid_payload(ev) ? counters_.oversize : counters_.malformed;
        c.fetch_add(1, std::memory_order_relaxed);
        return add_notices(now);
    }
    bool full = add_notices(now);
    std::unique_lock<std::mutex> g(mu_);
    while (!shutdown_ && full_.size() >= opt_.max_full_batches)
        space_.wait_for(g, std::chrono::milliseconds(100));
    counters_.accepted.fetch_add(1, std::memory_order_relaxed);
    return add_locked(json, now) || full;
}

bool TelemetryPipeline::add_locked(const std::string& json, uint64_t now) {
    bool sealed = false;
    // Seal first when this event would take the batch past a size bound (the compressed
    // size lags behind what zlib still buffers: leave 1 MiB for that).
    if (open_.count > 0 && (open_bytes_ + json.size() + 2 > opt_.max_batch_bytes ||
                            gz_->compressed_size() + (1u << 20) > opt_.max_batch_compressed_bytes)) {
        close_open_locked();
        sealed = true;
    }
    if (open_.count == 0) {
        open_.seq = seq_->next();
        open_.first_ns = now;
        gz_ = std::make_unique<GzipStream>(1);
        // agent_id is a UUID from the host: nothing to escape.
        std::string head = "{\"agent_id\":\"" + ctx_.agent_id + "\",\"batch_seq\":" + std::to_string(open_.seq) +
                           ",\"events\":[";
        gz_->append(head);
        open_bytes_ = head.size() + 2;
    } else {
        gz_->append(",");
        ++open_bytes_;
    }
    gz_->append(json);
    open_bytes_ += json.size();
    ++open_.count;
    if (open_.count >= opt_.max_batch_events) {
        close_open_locked();
        return true;
    }
    return sealed;
}

void TelemetryPipeline::close_open_locked() {
    open_bytes_ = 0;
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

}  // namespace vigil::kataedr
