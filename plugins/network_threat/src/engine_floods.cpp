// The engine's flood confirmation and its periodic work (per-minute reports,
// forgetting idle sources).
#include <algorithm>

#include "engine.hpp"

namespace vigil::network_threat {

namespace {

constexpr int64_t kMinuteMs = 60000;
// An episode with no activity for this long ends; new activity opens a new one.
constexpr int64_t kEpisodeIdleMs = 2 * kMinuteMs;
// A flood candidate (a rate sample from the kernel) is considered this long.
constexpr int64_t kCandidateMs = 2000;
// Distributed floods need at least this many different sampled sources.
constexpr size_t kDistributedSources = 16;
constexpr size_t kGlobalSampleCap = 4096;
constexpr int64_t kExpireEveryMs = 10000;

enum FloodIndex { kSyn = 0, kUdp = 1, kIcmp = 2 };

ThreatClass flood_class(int i) {
    return i == kSyn ? ThreatClass::flood_syn : i == kUdp ? ThreatClass::flood_udp : ThreatClass::flood_icmp;
}

std::string_view flood_name(int i) { return i == kSyn ? "TCP SYN" : i == kUdp ? "UDP" : "ICMP echo"; }

}  // namespace

void Engine::observe_rate(Signal signal, const Packet& p, int64_t now_ms, std::vector<Finding>& out) {
    const auto& t = config_.thresholds;
    switch (signal) {
        case Signal::syn_rate:
        case Signal::udp_rate: {
            SourceState& s = sources_.get(p.src, now_ms);
            const int i = signal == Signal::syn_rate ? kSyn : kUdp;
            s.flood_candidate[size_t(i)] = now_ms;
            active_.insert(s.address);
            if (Episode* e = s.episode(flood_class(i)))
                merge(*e, p, uint32_t(p.protocol) << 16 | p.dport, now_ms);
            return;
        }
        case Signal::icmp_rate:
            // An echo flood needs no distress to tell it from service traffic.
            record(sources_.get(p.src, now_ms), ThreatClass::flood_icmp, Tier::instant, p, now_ms, 0, out,
                   "ICMP echo flood", 1, [&](Episode& e, bool) {
                       add_detail(e.evidence,
                                  "over " + std::to_string(t.icmp_flood_pps) + " echo requests/s");
                   });
            return;
        case Signal::syn_global:
        case Signal::udp_global:
        case Signal::icmp_global: {
            auto& g = global_[signal == Signal::syn_global   ? kSyn
                              : signal == Signal::udp_global ? kUdp
                                                             : kIcmp];
            g.last_ms = now_ms;
            if (g.sources.size() < kGlobalSampleCap) g.sources.insert(p.src);
            if (g.episode) merge(*g.episode, p, 0, now_ms);
            return;
        }
        default:
            return;
    }
}

bool Engine::wants_distress(int64_t now_ms) const {
    for (const auto& g : global_)
        if (g.last_ms && now_ms - g.last_ms <= kCandidateMs) return true;
    return !active_.empty();
}

void Engine::confirm_floods(int64_t now_ms, const Distress& d, std::vector<Finding>& out) {
    if (!d.valid) return;
    const auto& t = config_.thresholds;
    const double need[2] = {std::max(50.0, t.syn_flood_pps / 4.0), std::max(50.0, t.udp_flood_pps / 20.0)};
    const double seen[2] = {d.tcp_incomplete_per_s, d.udp_dropped_per_s};
    for (const auto& a : active_) {
        SourceState* s = sources_.find(a);
        if (!s) continue;
        for (int i : {kSyn, kUdp}) {
            const int64_t c = s->flood_candidate[size_t(i)];
            if (!c || now_ms - c > kCandidateMs || s->episode(flood_class(i)) || seen[i] < need[i]) continue;
            Packet p;
            p.src = a;
            record(*s, flood_class(i), Tier::instant, p, now_ms, 0, out,
                   std::string(flood_name(i)) + " flood", 1, [&](Episode& e, bool) {
                       add_detail(e.evidence,
                                  "over " + std::to_string(i == kSyn ? t.syn_flood_pps : t.udp_flood_pps) +
                                      " packets/s from this source");
                       add_detail(e.evidence,
                                  std::string(i == kSyn ? "incomplete handshakes" : "datagrams dropped") +
                                      " " + std::to_string(int64_t(seen[i])) + "/s on the host");
                   });
        }
    }
}

void Engine::confirm_distributed(int64_t now_ms, const Distress& d, std::vector<Finding>& out) {
    const auto& t = config_.thresholds;
    const uint32_t pps[3] = {t.distributed_syn_pps, t.distributed_udp_pps, t.distributed_icmp_pps};
    for (int i : {kSyn, kUdp, kIcmp}) {
        auto& g = global_[size_t(i)];
        if (!g.last_ms || now_ms - g.last_ms > kCandidateMs) continue;
        if (g.episode) continue;
        const bool distress =
            i == kIcmp || (d.valid && (i == kSyn ? d.tcp_incomplete_per_s : d.udp_dropped_per_s) >= 50);
        if (!distress || g.sources.size() < kDistributedSources) continue;
        Episode e{ThreatClass::flood_distributed,
                  {},
                  now_ms,
                  false,
                  true,
                  "a flood from many (spoofable) sources is never blocked per source",
                  {},
                  {},
                  {}};
        e.evidence.technique = std::string(flood_name(i)) + " flood from many sources";
        e.evidence.first_ms = e.evidence.last_ms = now_ms;
        e.evidence.distinct = uint32_t(g.sources.size());
        e.evidence.packets = g.sources.size();
        add_detail(e.evidence, "over " + std::to_string(pps[i]) + " packets/s to the host");
        add_detail(e.evidence, std::to_string(g.sources.size()) + " distinct sources sampled");
        ++stats_.findings;
        out.push_back(make_finding(e, true));
        reset_after_report(e, now_ms);
        g.episode = e;
    }
}

void Engine::flush_episode(Episode& e, int64_t now_ms, std::vector<Finding>& out) {
    if (!e.dirty || now_ms - e.reported_ms < kMinuteMs) return;
    out.push_back(make_finding(e, false));
    reset_after_report(e, now_ms);
}

void Engine::reset_after_report(Episode& e, int64_t now_ms) {
    // The next report covers the activity after this one.
    e.reported_ms = now_ms;
    e.dirty = false;
    auto& ev = e.evidence;
    ev.first_ms = now_ms;
    ev.packets = 0;
    ev.distinct = 0;
    ev.targets.clear();
    ev.tcp_flags.clear();
}

void Engine::tick(int64_t now_ms, const Distress& d, std::vector<Finding>& out) {
    confirm_floods(now_ms, d, out);
    confirm_distributed(now_ms, d, out);
    for (auto it = active_.begin(); it != active_.end();) {
        SourceState* s = sources_.find(*it);
        if (s) {
            for (auto& e : s->episodes) flush_episode(e, now_ms, out);
            std::erase_if(s->episodes, [&](const Episode& e) {
                return !e.dirty && now_ms - e.evidence.last_ms >= kEpisodeIdleMs;
            });
        }
        const bool candidate = s && std::any_of(s->flood_candidate.begin(), s->flood_candidate.end(),
                                                [&](int64_t c) { return c && now_ms - c <= kCandidateMs; });
        it = s && (!s->episodes.empty() || candidate) ? std::next(it) : active_.erase(it);
    }
    for (auto& g : global_) {
        if (g.episode) {
            if (g.episode->dirty) g.episode->evidence.distinct = uint32_t(g.sources.size());
            flush_episode(*g.episode, now_ms, out);
            if (!g.episode->dirty && now_ms - g.episode->evidence.last_ms >= kEpisodeIdleMs)
                g.episode.reset();
        }
        if (g.last_ms && now_ms - g.last_ms > kMinuteMs) {
            g.sources.clear();
            g.last_ms = 0;
        }
    }
    if (now_ms - last_expire_ms_ >= kExpireEveryMs) {
        last_expire_ms_ = now_ms;
        sources_.expire(now_ms - int64_t(config_.thresholds.slow_window_s) * 1000, now_ms - kEpisodeIdleMs);
    }
}

}  // namespace vigil::network_threat
