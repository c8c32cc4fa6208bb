#include "uploader.hpp"

#include <rapidjson/document.h>
#include <vigil/common/json_parse.hpp>
#include <vigil/plugin.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <future>
#include <vector>

#include "batch_split.hpp"
#include "gzip.hpp"

namespace vigil::kataedr {

Uploader::Uploader(Options opt, TelemetryPipeline& pipeline, Spool& spool,
                   std::shared_ptr<const ChannelConfig> channel, ConnectionState& state,
                   std::function<std::string()> sync_body, LogFn log)
    : opt_(std::move(opt)),
      pipeline_(pipeline),
      spool_(spool),
      channel_config_(channel),
      channel_(std::move(channel), &state),
      state_(state),
      sync_body_(std::move(sync_body)),
      log_(std::move(log)) {}

Uploader::~Uploader() { stop(); }

void Uploader::start() {
    stop_ = false;
    channel_.reset_abort();
    lanes_.clear();
    for (unsigned i = 1; i < std::max(opt_.parallel_uploads, 1u); ++i)
        lanes_.push_back(std::make_unique<UploadLane>(channel_config_, &state_));
    thread_ = std::thread([this] { run(); });
}

void Uploader::stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    channel_.abort();
    for (auto& lane : lanes_) lane->abort();
    wake();
    thread_.join();
    lanes_.clear();
    // Whatever was not delivered survives in the spool, in order.
    for (auto& b : pipeline_.take_ready(now_ns(), true)) outbox_.push_back(from(std::move(b)));
    spill_outbox();
}

void Uploader::wake() {
    {
        std::lock_guard<std::mutex> g(mu_);
        woken_ = true;
    }
    cv_.notify_one();
}

void Uploader::request_sync() {
    sync_requested_ = true;
    wake();
}

bool Uploader::do_sync() {
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/agent/sync";
    req.content_type = "application/json";
    std::string body = sync_body_();
    req.body = body;
    try {
        HttpResponse r = channel_.send(req);
        if (r.status != 200) {
            state_.failure(
                "http", r.server,
                "HTTP " + std::to_string(r.status) + " from " + r.server + " for sync: " + r.error_text());
            return false;
        }
        counters_.syncs.fetch_add(1);
        synced_ = true;
        return true;
    } catch (const TransportError& e) {
        log_(VIGIL_LOG_DEBUG, std::string("sync failed: ") + e.what());
        return false;
    }
}

SendResult Uploader::send_batch(const Sealed& b, HttpsChannel& channel, bool may_register) {
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/agent/telemetry";
    req.content_type = "application/json";
    req.content_encoding = "gzip";
    req.body = b.body;
    for (int attempt = 0; attempt < 2; ++attempt) {
        HttpResponse r;
        const auto sent_at = std::chrono::steady_clock::now();
        try {
            r = channel.send(req);
        } catch (const TransportError&) {
            return SendResult::failed;
        }
        counters_.upload_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent_at).count());
        if (r.status == 200) {
            rapidjson::Document d;
            if (vigil::common::parse_json_bounded(d, r.body).empty() && d.IsObject() && d.HasMember("duplicate") &&
                d["duplicate"].IsBool() &&
                d["duplicate"].GetBool()) {
                counters_.duplicates.fetch_add(1);  // stored before (a retry): not counted twice
            } else {
                counters_.batches_sent.fetch_add(1);
                counters_.events_sent.fetch_add(b.events);
            }
            return SendResult::delivered;
        }
        if (r.status == 404 && attempt == 0) {
            // The server does not know this agent (e.g. a fresh database): register, retry.
            if (!may_register) return SendResult::unknown_agent;
            synced_ = false;
            if (!do_sync()) return SendResult::failed;
            continue;
        }
        std::string msg = "HTTP " + std::to_string(r.status) + " from " + r.server + " for telemetry batch " +
                          std::to_string(b.seq) + ": " + r.error_text();
        state_.failure("http", r.server, msg);
        // Too large, or an event the server cannot store: the halves go instead, so nothing
        // but a single refused event is ever lost (a detection next to it is not).
        if (r.status == 400 || r.status == 413 || r.status == 422) return resend_split(b, channel, may_register, msg);
        // 415 and everything else say nothing about this batch: it is kept and retried (and
        // spooled while the server keeps answering so).
        log_(r.status == 415 ? VIGIL_LOG_ERROR : VIGIL_LOG_WARN, msg);
        return SendResult::failed;
    }
    return SendResult::failed;
}

SendResult Uploader::resend_split(const Sealed& b, HttpsChannel& channel, bool may_register, const std::string& why) {
    std::optional<std::pair<BatchPart, BatchPart>> halves;
    if (b.events >= 2) {
        try {
            halves = split_batch(b.body, b.seq);
        } catch (const std::exception& e) {
            log_(VIGIL_LOG_ERROR, why + " (cannot split: " + e.what() + ")");
        }
    }
    if (!halves) {
        // A single event the server refuses on its own (or a body that cannot be split):
        // dropped, so it cannot block everything after it, and counted.
        log_(VIGIL_LOG_ERROR, why + " (dropped, " + std::to_string(b.events) + " events)");
        counters_.batches_rejected.fetch_add(1);
        counters_.events_rejected.fetch_add(b.events);
        return SendResult::rejected;
    }
    log_(VIGIL_LOG_WARN, why + " (split into two batches of " + std::to_string(halves->first.events) + " and " +
                             std::to_string(halves->second.events) + " events)");
    counters_.batches_split.fetch_add(1);
    for (BatchPart* part : {&halves->first, &halves->second}) {
        Sealed half{part->seq, part->events, std::move(part->body)};
        SendResult r = send_batch(half, channel, may_register);
        if (r == SendResult::failed || r == SendResult::unknown_agent) return r;
    }
    return SendResult::delivered;
}

bool Uploader::drain_spool() {
    while (!stop_) {
        auto e = spool_.front();
        if (!e) return true;
        Sealed b;
        b.seq = e->batch_seq;
        b.events = e->events;
        try {
            b.body = spool_.read(*e);
        } catch (const std::exception& ex) {
            log_(VIGIL_LOG_ERROR, std::string("spool: ") + ex.what() + " (batch dropped)");
            spool_.discard(e->batch_seq);
            continue;
        }
        SendResult r = send_batch(b, channel_, true);
        if (r == SendResult::failed) return false;
        if (r == SendResult::delivered)
            spool_.pop(e->batch_seq);
        else
            spool_.discard(e->batch_seq);
    }
    return false;
}

bool Uploader::drain_outbox() {
    while (!outbox_.empty() && !stop_) {
        // The oldest batch goes on this thread's channel, the next ones on the lanes, at once.
        const size_t n = std::min(outbox_.size(), lanes_.size() + 1);
        std::vector<std::future<SendResult>> in_flight;
        for (size_t i = 1; i < n; ++i) {
            const Sealed& b = outbox_[i];  // outbox_ is not touched until every future is back
            in_flight.push_back(lanes_[i - 1]->submit(
                [this, &b](HttpsChannel& channel) { return send_batch(b, channel, false); }));
        }
        std::vector<SendResult> results{send_batch(outbox_[0], channel_, true)};
        for (auto& f : in_flight) {
            try {
                results.push_back(f.get());
            } catch (const std::exception& e) {  // kept and retried like any failed send
                log_(VIGIL_LOG_ERROR, std::string("telemetry upload failed: ") + e.what());
                results.push_back(SendResult::failed);
            }
        }
        // A lane's batch refused because the server did not know the agent is resent here,
        // now that the oldest batch registered it (or not, when that one failed).
        for (size_t i = 1; i < n; ++i) {
            if (results[i] == SendResult::unknown_agent)
                results[i] = results[0] == SendResult::failed ? SendResult::failed
                                                               : send_batch(outbox_[i], channel_, true);
        }
        // Failed batches stay at the front, in order, and go to the spool ahead of everything
        // newer if the server stays away.
        if (!settle_sent(outbox_, results)) return false;
    }
    return outbox_.empty();
}

void Uploader::spill_outbox() {
    while (!outbox_.empty()) {
        Sealed& b = outbox_.front();
        try {
            spool_.push(b.seq, b.events, b.body);
        } catch (const std::exception& e) {
            counters_.spool_errors.fetch_add(1);
            log_(VIGIL_LOG_ERROR, std::string("spool write failed, batch lost: ") + e.what());
        }
        outbox_.pop_front();
    }
}

bool Uploader::ensure_identity() {
    const auto& identity = channel_config_->identity;
    if (!identity) return true;
    // A refusal of our certificate as revoked shows as a TLS alert: enroll again (new token).
    if (identity->enrolled() && state_.last_error().find("certificate revoked") != std::string::npos)
        identity->forget_revoked();
    return identity->ensure(channel_, int64_t(now_ns() / 1000000000ull));
}

void Uploader::run() {
    uint64_t next_sync = 0;
    uint64_t retry_at = 0;
    uint64_t backoff = 1000000000ull;
    bool online = false;
    while (!stop_) {
        uint64_t now = now_ns();
        for (auto& b : pipeline_.take_ready(now, false)) outbox_.push_back(from(std::move(b)));
        if (now >= retry_at) {
            bool ok = ensure_identity();
            if (ok && (!synced_ || now >= next_sync || sync_requested_.exchange(false))) {
                ok = do_sync();
                if (ok) next_sync = now + opt_.sync_period_ns;
            }
            if (ok) ok = drain_spool();
            if (ok) ok = drain_outbox();
            if (stop_) break;
            if (ok) {
                if (!online) log_(VIGIL_LOG_INFO, "connected to " + channel_.current_server());
                online = true;
                backoff = 1000000000ull;
                retry_at = 0;
            } else {
                if (online) log_(VIGIL_LOG_WARN, "central node unreachable: " + state_.last_error());
                online = false;
                synced_ = false;  // heartbeat first when a server answers again (fresh drop counters)
                retry_at = now_ns() + backoff;
                backoff = std::min(backoff * 2, std::max<uint64_t>(opt_.max_retry_ns, 1000000000ull));
            }
        }
        // Offline: sealed batches wait on disk, behind the older spooled ones.
        if (!online) spill_outbox();

        uint64_t wake_at = std::min(pipeline_.next_due_ns(), next_sync);
        if (!online) wake_at = std::min(wake_at, retry_at);
        std::unique_lock<std::mutex> g(mu_);
        if (!woken_ && !stop_) {
            uint64_t t = now_ns();
            if (wake_at > t) {
                auto wait = std::chrono::nanoseconds(std::min<uint64_t>(wake_at - t, 1000000000ull));
                cv_.wait_for(g, wait, [this] { return woken_ || stop_.load(); });
            }
        }
        woken_ = false;
    }
}

}  // namespace vigil::kataedr
