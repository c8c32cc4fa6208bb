// The packet side of the plugin: a thread that reads the NFLOG group,
// decodes each logged packet, matches signature captures against the rules,
// feeds the detection engine, and hands every finding to a callback. The
// engine is touched by this thread only; counters are atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "distress.hpp"
#include "engine.hpp"
#include "nflog_parser.hpp"
#include "nflog_socket.hpp"
#include "rules.hpp"
#include "ruleset.hpp"

namespace vigil::network_threat {

struct SensorCounters {
    std::atomic<uint64_t> records{0};         // packets the kernel handed over
    std::atomic<uint64_t> decode_errors{0};   // malformed packets or NFLOG messages
    std::atomic<uint64_t> unknown_signal{0};  // a prefix not of ours (another rule logging to the group)
    std::atomic<uint64_t> signature_hits{0};
    std::atomic<uint64_t> findings{0};
    std::atomic<uint64_t> noise{0};
    std::atomic<uint64_t> tracked_sources{0};
    std::atomic<uint64_t> lost{0};  // ENOBUFS reports from the kernel
};

class Sensor {
public:
    using FindingFn = std::function<void(const Finding&)>;
    using Clock = std::function<int64_t()>;  // CLOCK_REALTIME ms

    Sensor(EngineConfig config, RuleSet rules, uint16_t nflog_group, FindingFn on_finding, Clock now = {});
    ~Sensor();
    // Binds the NFLOG group (throws naming the problem) and starts the thread.
    void start();
    void stop();
    const SensorCounters& counters() const { return counters_; }
    // The watchdog heartbeat, called from the thread (set before start()): the
    // CLOCK_MONOTONIC ms of its latest loop about twice a second while it runs,
    // 0 when it ends. A thread stuck anywhere stops the calls.
    void set_heartbeat(std::function<void(int64_t)> beat) { heartbeat_ = std::move(beat); }

    // One buffer of NFLOG messages through the whole pipeline (the thread's
    // body; also what tests and benchmarks drive directly).
    void process(std::span<const uint8_t> buffer, int64_t now_ms);
    // The periodic part (windows, floods, per-minute reports).
    void tick(int64_t now_ms);

private:
    void run(std::stop_token st);
    void beat();
    void emit(std::vector<Finding>& findings);

    Engine engine_;
    RuleSet rules_;
    uint16_t group_;
    FindingFn on_finding_;
    Clock now_;
    DistressMonitor distress_;
    std::unique_ptr<NflogSocket> socket_;
    SensorCounters counters_;
    NflogParseStats parse_stats_;
    std::vector<Finding> pending_;
    int64_t last_tick_ms_ = 0;
    std::function<void(int64_t)> heartbeat_;
    int64_t last_beat_ms_ = 0;
    std::jthread thread_;
};

}  // namespace vigil::network_threat
