#include "sensor.hpp"

#include <poll.h>

#include <chrono>
#include <vigil/common/time.hpp>

#include "nflog_parser.hpp"

namespace vigil::network_threat {

namespace {
constexpr int kPollMs = 200;
constexpr int64_t kTickMs = 1000;
// Buffers read per wake-up before the thread ticks and beats again: a packet
// storm must not starve the windows or stop the heartbeat.
constexpr int kMaxBuffersPerWake = 256;
constexpr int64_t kBeatMs = 500;
}  // namespace

Sensor::Sensor(EngineConfig config, RuleSet rules, uint16_t nflog_group, FindingFn on_finding, Clock now)
    : engine_(config),
      rules_(std::move(rules)),
      group_(nflog_group),
      on_finding_(std::move(on_finding)),
      now_(std::move(now)) {
    if (!now_) now_ = [] { return common::realtime_ms(); };
}

Sensor::~Sensor() { stop(); }

void Sensor::start() {
    socket_ = std::make_unique<NflogSocket>(group_, kSignatureSnaplen + 64);
    thread_ = std::jthread([this](std::stop_token st) { run(st); });
}

void Sensor::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
    socket_.reset();
}

void Sensor::emit(std::vector<Finding>& findings) {
    for (const auto& f : findings) {
        counters_.findings.fetch_add(1, std::memory_order_relaxed);
        if (on_finding_) on_finding_(f);
    }
    findings.clear();
}

void Sensor::process(std::span<const uint8_t> buffer, int64_t now_ms) {
    const uint64_t malformed_before = parse_stats_.malformed;
    parse_nflog_buffer(buffer, parse_stats_, [&](const NflogRecord& r) {
        counters_.records.fetch_add(1, std::memory_order_relaxed);
        const auto signal = parse_signal(r.prefix);
        if (!signal) {
            counters_.unknown_signal.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        Packet p;
        if (decode_packet(r.payload, p) != DecodeError::none) {
            counters_.decode_errors.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        if (*signal == Signal::signature) {
            for (const Rule* rule : rules_.match(p)) {
                counters_.signature_hits.fetch_add(1, std::memory_order_relaxed);
                engine_.observe_signature(p, SignatureHit{rule->sid, rule->msg, rule->classtype}, now_ms,
                                          pending_);
            }
            return;
        }
        engine_.observe(*signal, p, now_ms, pending_);
    });
    counters_.decode_errors.fetch_add(parse_stats_.malformed - malformed_before, std::memory_order_relaxed);
    emit(pending_);
}

void Sensor::tick(int64_t now_ms) {
    Distress d;
    if (engine_.wants_distress(now_ms)) d = distress_.sample(now_ms);
    engine_.tick(now_ms, d, pending_);
    counters_.noise.store(engine_.stats().noise, std::memory_order_relaxed);
    counters_.tracked_sources.store(engine_.tracked_sources(), std::memory_order_relaxed);
    emit(pending_);
}

void Sensor::run(std::stop_token st) {
    pollfd pfd{socket_->fd(), POLLIN, 0};
    // Prime the distress counters so the first flood has a baseline.
    distress_.sample(now_());
    while (!st.stop_requested()) {
        beat();
        const int rc = ::poll(&pfd, 1, kPollMs);
        const int64_t now = now_();
        if (rc > 0) {
            for (int n = 0; n < kMaxBuffersPerWake; ++n) {
                const auto buf = socket_->receive();
                if (buf.empty()) break;
                process(buf, now);
            }
            counters_.lost.store(socket_->lost(), std::memory_order_relaxed);
        }
        if (now - last_tick_ms_ >= kTickMs) {
            last_tick_ms_ = now;
            tick(now);
        }
    }
    if (heartbeat_) heartbeat_(0);
}

void Sensor::beat() {
    const int64_t mono = common::monotonic_ns() / 1000000;
    if (!heartbeat_ || mono - last_beat_ms_ < kBeatMs) return;
    last_beat_ms_ = mono;
    heartbeat_(mono);
}

}  // namespace vigil::network_threat
