#include "fragment_tracker.hpp"

#include <array>

namespace vigil::network_threat {

namespace {
constexpr int64_t kDatagramLifetimeMs = 30000;
constexpr size_t kMaxRangesPerDatagram = 64;
}  // namespace

std::string_view fragment_anomaly_name(FragmentAnomaly a) {
    static constexpr std::array<std::string_view, 4> kNames = {"none", "overlap", "oversize", "tiny"};
    return kNames[size_t(a)];
}

size_t FragmentTracker::KeyHash::operator()(const Key& k) const noexcept {
    common::IpAddressHash h;
    return h(k.src) * 31 + h(k.dst) * 17 + k.id * 7 + k.protocol;
}

void FragmentTracker::expire(int64_t now_ms) {
    if (now_ms - last_expire_ms_ < 1000 && map_.size() < capacity_) return;
    last_expire_ms_ = now_ms;
    for (auto it = map_.begin(); it != map_.end();)
        it = now_ms - it->second.first_ms > kDatagramLifetimeMs ? map_.erase(it) : std::next(it);
}

FragmentAnomaly FragmentTracker::observe(const Packet& p, int64_t now_ms) {
    if (!p.fragment) return FragmentAnomaly::none;
    const uint32_t begin = p.fragment_offset;
    const uint32_t end = begin + p.fragment_payload;
    // No datagram reassembles beyond 65,535 bytes (IPv6 jumbograms are never fragmented).
    if (end > 65535u) return FragmentAnomaly::oversize;
    // A tiny fragment is still tracked: teardrop-style overlaps are often built from tiny fragments,
    // and an overlap is the more telling anomaly of the two.
    const FragmentAnomaly shape =
        p.more_fragments && p.fragment_payload < kTinyFragment ? FragmentAnomaly::tiny : FragmentAnomaly::none;
    expire(now_ms);
    const Key key{p.src, p.dst, p.frag_id, p.protocol};
    auto it = map_.find(key);
    if (it == map_.end()) {
        if (map_.size() >= capacity_) return shape;  // full: stop tracking, never grow
        it = map_.emplace(key, Datagram{now_ms, {}}).first;
    }
    auto& ranges = it->second.ranges;
    for (const auto& [b, e] : ranges) {
        if (b == begin && e == end) return shape;  // a duplicate (retransmission)
        if (begin < e && b < end) return FragmentAnomaly::overlap;
    }
    if (ranges.size() < kMaxRangesPerDatagram) ranges.emplace_back(begin, end);
    return shape;
}

}  // namespace vigil::network_threat
