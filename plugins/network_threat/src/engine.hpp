// The detection engine: turns the packets the kernel logged (each with the
// signal of the rule that logged it) into findings. It counts failed probes
// per source over three windows, recognises nmap's OS probes, invalid flags,
// fragment anomalies and land packets, confirms floods with the host's
// distress counters, groups decoys, and aggregates everything into one
// report per (source, class) and minute. Single-threaded: one owner calls it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "distress.hpp"
#include "finding.hpp"
#include "fragment_tracker.hpp"
#include "packet.hpp"
#include "probe.hpp"
#include "signal.hpp"
#include "source_state.hpp"
#include "thresholds.hpp"

namespace vigil::network_threat {

struct EngineConfig {
    Thresholds thresholds;
    NoiseFilter noise;
    size_t max_sources = 16384;
};

struct EngineStats {
    uint64_t packets = 0;
    uint64_t noise = 0;
    uint64_t findings = 0;
    uint64_t decoy_groups = 0;
};

// A signature match found outside the engine (rules.hpp).
struct SignatureHit {
    uint32_t sid = 0;
    std::string msg, classtype;
};

class Engine {
public:
    explicit Engine(EngineConfig config);

    void observe(Signal signal, const Packet& p, int64_t now_ms, std::vector<Finding>& out);
    void observe_signature(const Packet& p, const SignatureHit& hit, int64_t now_ms,
                           std::vector<Finding>& out);
    // Periodic (about once a second): confirms flood candidates with
    // `distress`, reports episodes due for their per-minute report, forgets
    // idle sources.
    void tick(int64_t now_ms, const Distress& distress, std::vector<Finding>& out);
    // Whether tick() needs a distress sample (a flood candidate is pending).
    bool wants_distress(int64_t now_ms) const;

    const EngineStats& stats() const { return stats_; }
    size_t tracked_sources() const { return sources_.size(); }
    const EngineConfig& config() const { return config_; }

private:
    // Opens the (source, class) episode on its first detection and reports
    // it; later calls merge into it. `adjust` runs after the merge (details).
    using Adjust = std::function<void(Episode&, bool created)>;
    Episode& record(SourceState& s, ThreatClass cls, Tier tier, const Packet& p, int64_t now_ms,
                    uint32_t target, std::vector<Finding>& out, std::string_view technique, uint32_t window_s,
                    const Adjust& adjust = {});
    Finding make_finding(const Episode& e, bool first) const;
    void merge(Episode& e, const Packet& p, uint32_t target, int64_t now_ms);
    void observe_probe(Signal signal, const Packet& p, int64_t now_ms, std::vector<Finding>& out);
    void observe_fragment(const Packet& p, int64_t now_ms, std::vector<Finding>& out);
    void check_scan_tiers(SourceState& s, const Probe& probe, const Packet& p, int64_t now_ms,
                          std::vector<Finding>& out);
    void check_os_fingerprint(SourceState& s, const Packet& p, int64_t now_ms, std::vector<Finding>& out);
    void observe_rate(Signal signal, const Packet& p, int64_t now_ms, std::vector<Finding>& out);
    void confirm_floods(int64_t now_ms, const Distress& d, std::vector<Finding>& out);
    void confirm_distributed(int64_t now_ms, const Distress& d, std::vector<Finding>& out);
    void flush_episode(Episode& e, int64_t now_ms, std::vector<Finding>& out);
    static void reset_after_report(Episode& e, int64_t now_ms);
    void find_decoys(Episode& e, const SourceState& s, ProbeKind kind, int64_t now_ms);
    void remember_recent(const SourceState& s, ProbeKind kind, int64_t now_ms);
    uint32_t fast_threshold(ProbeKind k) const;

    EngineConfig config_;
    SourceTable sources_;
    FragmentTracker fragments_;
    EngineStats stats_;
    // Sources with an open episode or a flood candidacy (visited by tick()).
    std::unordered_set<IpAddress, common::IpAddressHash> active_;
    // Recent scanners (time, source, kind), to recognise decoys.
    struct Recent {
        int64_t ms;
        IpAddress source;
        ProbeKind kind;
    };
    std::deque<Recent> recent_;
    // Host-level (distributed) flood candidacy: last global sample per protocol and the sources sampled.
    struct Global {
        int64_t last_ms = 0;
        std::unordered_set<IpAddress, common::IpAddressHash> sources;
        std::optional<Episode> episode;
    };
    std::array<Global, 3> global_;  // syn, udp, icmp
    int64_t last_expire_ms_ = 0;
};

}  // namespace vigil::network_threat
