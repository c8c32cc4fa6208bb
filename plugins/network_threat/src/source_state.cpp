#include "source_state.hpp"

#include <algorithm>

namespace vigil::network_threat {

TargetHit& SourceState::hit(uint32_t target, ProbeKind kind, int64_t now_ms) {
    for (auto& h : hits)
        if (h.target == target) {
            h.last_ms = now_ms;
            h.kind = kind;
            return h;
        }
    if (hits.size() >= kMaxDistinctPerSource) {
        // Replace the target seen least recently: the windows only look back.
        auto oldest = std::min_element(hits.begin(), hits.end(), [](const TargetHit& a, const TargetHit& b) {
            return a.last_ms < b.last_ms;
        });
        *oldest = TargetHit{target, kind, now_ms, now_ms};
        return *oldest;
    }
    hits.push_back(TargetHit{target, kind, now_ms, now_ms});
    return hits.back();
}

uint32_t SourceState::count(ProbeKind kind, int64_t since_ms) const {
    uint32_t n = 0;
    for (const auto& h : hits) n += h.kind == kind && h.last_ms >= since_ms;
    return n;
}

uint32_t SourceState::count_any(int64_t since_ms) const {
    uint32_t n = 0;
    for (const auto& h : hits) n += h.last_ms >= since_ms;
    return n;
}

uint32_t SourceState::os_count(int64_t since_ms) const {
    uint32_t n = 0;
    for (size_t i = 1; i < os_seen.size(); ++i) n += os_seen[i] != kNever && os_seen[i] >= since_ms;
    return n;
}

Episode* SourceState::episode(ThreatClass c) {
    for (auto& e : episodes)
        if (e.cls == c) return &e;
    return nullptr;
}

SourceState& SourceTable::get(const IpAddress& a, int64_t now_ms) {
    auto it = map_.find(a);
    if (it == map_.end()) {
        if (map_.size() >= capacity_) evict(now_ms);
        it = map_.emplace(a, SourceState{}).first;
        it->second.address = a;
    }
    it->second.last_ms = now_ms;
    return it->second;
}

SourceState* SourceTable::find(const IpAddress& a) {
    auto it = map_.find(a);
    return it == map_.end() ? nullptr : &it->second;
}

void SourceTable::expire(int64_t cutoff_ms, int64_t episode_cutoff_ms) {
    for (auto it = map_.begin(); it != map_.end();) {
        const auto& s = it->second;
        const bool open = std::any_of(s.episodes.begin(), s.episodes.end(), [&](const Episode& e) {
            return e.evidence.last_ms >= episode_cutoff_ms;
        });
        if (s.last_ms < cutoff_ms && !open)
            it = map_.erase(it);
        else
            ++it;
    }
}

void SourceTable::evict(int64_t /*now_ms*/) {
    // Drop the least recently active eighth in one pass, so a flood of new
    // (spoofed) sources costs O(1) amortised per insertion.
    std::vector<std::pair<int64_t, IpAddress>> order;
    order.reserve(map_.size());
    for (const auto& [a, s] : map_) order.emplace_back(s.last_ms, a);
    const size_t drop = std::max<size_t>(1, order.size() / 8);
    std::nth_element(order.begin(), order.begin() + long(drop - 1), order.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    for (size_t i = 0; i < drop; ++i) map_.erase(order[i].second);
    evicted_ += drop;
}

}  // namespace vigil::network_threat
