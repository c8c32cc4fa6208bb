// What the engine remembers about one remote address: the distinct targets
// it probed (with times, for the fast, medium and slow windows), the nmap -O
// probes it sent, flood candidacy, and the open report episodes per class.
// Bounded: at most kMaxDistinctPerSource targets per source, and the table
// evicts the least recently active sources beyond its capacity.
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "finding.hpp"
#include "probe.hpp"
#include "thresholds.hpp"

namespace vigil::network_threat {

struct TargetHit {
    uint32_t target = 0;
    ProbeKind kind = ProbeKind::none;
    int64_t first_ms = 0;
    int64_t last_ms = 0;
};

// One report episode of a (source, class): opened by the first detection,
// reported at once, then at most once a minute while activity continues.
struct Episode {
    ThreatClass cls;
    Evidence evidence;
    int64_t reported_ms = 0;
    bool dirty = false;  // activity since the last report
    bool notify_only = false;
    std::string notify_reason;
    std::vector<IpAddress> decoy_group;
    std::string rule_id, title;
};

struct SourceState {
    IpAddress address;
    int64_t last_ms = 0;
    std::vector<TargetHit> hits;
    static constexpr int64_t kNever = INT64_MIN;
    std::array<int64_t, kOsProbeCount> os_seen = never();  // last time of each nmap -O probe kind
    std::array<int64_t, 3> flood_candidate{};              // last over-rate sample: syn, udp, icmp
    std::vector<Episode> episodes;

    // Records a failed probe target; returns the hit.
    TargetHit& hit(uint32_t target, ProbeKind kind, int64_t now_ms);
    // Distinct targets of `kind` seen since `since_ms`.
    uint32_t count(ProbeKind kind, int64_t since_ms) const;
    // Distinct failed targets of any kind seen since `since_ms`.
    uint32_t count_any(int64_t since_ms) const;
    uint32_t os_count(int64_t since_ms) const;
    Episode* episode(ThreatClass c);

private:
    static std::array<int64_t, kOsProbeCount> never() {
        std::array<int64_t, kOsProbeCount> a;
        a.fill(kNever);
        return a;
    }
};

class SourceTable {
public:
    explicit SourceTable(size_t capacity) : capacity_(capacity) {}
    SourceState& get(const IpAddress& a, int64_t now_ms);
    SourceState* find(const IpAddress& a);
    // Forgets sources idle since before `cutoff_ms` that have no open episode.
    void expire(int64_t cutoff_ms, int64_t episode_cutoff_ms);
    size_t size() const { return map_.size(); }
    uint64_t evicted() const { return evicted_; }
    template <class F>
    void for_each(F&& f) {
        for (auto& [a, s] : map_) f(s);
    }

private:
    void evict(int64_t now_ms);
    size_t capacity_;
    uint64_t evicted_ = 0;
    std::unordered_map<IpAddress, SourceState, common::IpAddressHash> map_;
};

}  // namespace vigil::network_threat
