#include "engine.hpp"

#include <algorithm>

namespace vigil::network_threat {

namespace {

// Probes from several sources at the same targets within this time are one decoy scan.
constexpr int64_t kDecoyWindowMs = 2000;
constexpr size_t kRecentCap = 256;

bool stealth(ProbeKind k) {
    return k == ProbeKind::tcp_fin || k == ProbeKind::tcp_null || k == ProbeKind::tcp_xmas ||
           k == ProbeKind::tcp_maimon || k == ProbeKind::tcp_custom;
}

}  // namespace

Engine::Engine(EngineConfig config) : config_(config), sources_(config.max_sources) {}

uint32_t Engine::fast_threshold(ProbeKind k) const {
    const auto& t = config_.thresholds;
    if (stealth(k)) return t.stealth_ports;
    switch (k) {
        case ProbeKind::udp:
            return t.udp_ports;
        case ProbeKind::sctp_init:
        case ProbeKind::sctp_cookie:
        case ProbeKind::sctp_other:
            return t.sctp_ports;
        case ProbeKind::ip_protocol:
            return t.ip_protocols;
        default:
            return t.tcp_ports;
    }
}

void Engine::merge(Episode& e, const Packet& p, uint32_t target, int64_t now_ms) {
    auto& ev = e.evidence;
    ++ev.packets;
    if (target) add_target(ev, target);
    if (p.transport == Transport::tcp) add_flags(ev, p.tcp_flags);
    if (!p.dst.empty()) ev.destination = p.dst;
    ev.last_ms = now_ms;
    e.dirty = true;
}

Finding Engine::make_finding(const Episode& e, bool first) const {
    Finding f;
    f.cls = e.cls;
    f.evidence = e.evidence;
    f.first = first;
    f.notify_only = e.notify_only;
    f.notify_reason = e.notify_reason;
    f.decoy_group = e.decoy_group;
    f.rule_id = e.rule_id;
    f.title = e.title;
    return f;
}

Episode& Engine::record(SourceState& s, ThreatClass cls, Tier tier, const Packet& p, int64_t now_ms,
                        uint32_t target, std::vector<Finding>& out, std::string_view technique,
                        uint32_t window_s, const Adjust& adjust) {
    Episode* e = s.episode(cls);
    const bool created = e == nullptr;
    if (created) {
        s.episodes.push_back(Episode{cls, {}, now_ms, false, false, {}, {}, {}, {}});
        e = &s.episodes.back();
        auto& ev = e->evidence;
        ev.source = s.address;
        ev.technique = std::string(technique);
        ev.tier = tier;
        ev.window_s = window_s;
        ev.first_ms = now_ms;
        if (tier == Tier::slow) {
            e->notify_only = true;
            e->notify_reason = "slow scans are reported, never blocked";
        }
        active_.insert(s.address);
        ++stats_.findings;
    }
    merge(*e, p, target, now_ms);
    if (adjust) adjust(*e, created);
    if (created) {
        e->evidence.packets = std::max<uint64_t>(e->evidence.packets, e->evidence.distinct);
        out.push_back(make_finding(*e, true));
        reset_after_report(*e, now_ms);
    }
    return *e;
}

void Engine::observe(Signal signal, const Packet& p, int64_t now_ms, std::vector<Finding>& out) {
    ++stats_.packets;
    switch (signal) {
        case Signal::closed:
        case Signal::closed_rate:
        case Signal::open_odd:
        case Signal::protocol:
        case Signal::icmp_odd:
            observe_probe(signal, p, now_ms, out);
            return;
        case Signal::land:
            record(sources_.get(p.src, now_ms), ThreatClass::malformed_land, Tier::instant, p, now_ms,
                   uint32_t(p.protocol) << 16 | p.dport, out, "Land", 0);
            return;
        case Signal::fragment:
            observe_fragment(p, now_ms, out);
            return;
        default:
            observe_rate(signal, p, now_ms, out);
            return;
    }
}

void Engine::observe_fragment(const Packet& p, int64_t now_ms, std::vector<Finding>& out) {
    const FragmentAnomaly a = fragments_.observe(p, now_ms);
    if (a == FragmentAnomaly::none) return;
    const std::string name(fragment_anomaly_name(a));
    record(sources_.get(p.src, now_ms), ThreatClass::malformed_fragment, Tier::instant, p, now_ms, 0, out,
           name + " fragments", 0, [&](Episode& e, bool) { add_detail(e.evidence, name); });
}

void Engine::observe_probe(Signal signal, const Packet& p, int64_t now_ms, std::vector<Finding>& out) {
    const Probe probe = classify_probe(signal, p, config_.noise);
    if (probe.noise) {
        ++stats_.noise;
        return;
    }
    if (probe.kind == ProbeKind::none && probe.os == OsProbe::none) return;
    SourceState& s = sources_.get(p.src, now_ms);
    if (probe.os != OsProbe::none) {
        s.os_seen[size_t(probe.os)] = now_ms;
        check_os_fingerprint(s, p, now_ms, out);
    }
    if (probe.invalid_flags)
        record(s, ThreatClass::malformed_tcp_flags, Tier::instant, p, now_ms, probe.key, out,
               tcp_flags_text(p.tcp_flags), 0);
    if (signal == Signal::closed_rate && probe.kind != ProbeKind::none) {
        // Failed probes to one port above the flood rate: a flood of a closed port.
        const bool tcp = p.transport == Transport::tcp;
        const uint32_t pps = tcp ? config_.thresholds.syn_flood_pps : config_.thresholds.udp_flood_pps;
        record(s, tcp ? ThreatClass::flood_syn : ThreatClass::flood_udp, Tier::instant, p, now_ms, probe.key,
               out, "failed probes to a closed port", 1, [&](Episode& e, bool) {
                   add_detail(e.evidence, "over " + std::to_string(pps) + " packets/s to closed ports");
               });
        return;
    }
    if (probe.kind == ProbeKind::none || (!probe.failed && !stealth(probe.kind))) return;
    s.hit(probe.key, probe.kind, now_ms);
    check_scan_tiers(s, probe, p, now_ms, out);
}

void Engine::check_os_fingerprint(SourceState& s, const Packet& p, int64_t now_ms,
                                  std::vector<Finding>& out) {
    const auto& t = config_.thresholds;
    const int64_t since = now_ms - int64_t(t.window_s) * 1000;
    const uint32_t n = s.os_count(since);
    if (n < t.os_probes && !s.episode(ThreatClass::recon_os_fingerprint)) return;
    record(s, ThreatClass::recon_os_fingerprint, Tier::fast, p, now_ms, 0, out, "nmap -O", t.window_s,
           [&](Episode& e, bool) {
               for (size_t i = 1; i < s.os_seen.size(); ++i)
                   if (s.os_seen[i] != SourceState::kNever && s.os_seen[i] >= since)
                       add_detail(e.evidence, std::string(os_probe_name(OsProbe(i))));
               e.evidence.distinct = uint32_t(e.evidence.details.size());
           });
}

void Engine::remember_recent(const SourceState& s, ProbeKind kind, int64_t now_ms) {
    while (!recent_.empty() && now_ms - recent_.front().ms > kDecoyWindowMs) recent_.pop_front();
    for (const auto& r : recent_)
        if (r.source == s.address && r.kind == kind) return;
    if (recent_.size() < kRecentCap) recent_.push_back(Recent{now_ms, s.address, kind});
}

void Engine::check_scan_tiers(SourceState& s, const Probe& probe, const Packet& p, int64_t now_ms,
                              std::vector<Finding>& out) {
    const auto& t = config_.thresholds;
    const ThreatClass cls = scan_class(probe.kind);
    if (Episode* e = s.episode(cls)) {
        merge(*e, p, probe.key, now_ms);
        return;
    }
    const uint32_t fast = s.count(probe.kind, now_ms - int64_t(t.window_s) * 1000);
    Tier tier = Tier::fast;
    uint32_t window = t.window_s;
    if (fast < fast_threshold(probe.kind)) {
        if (fast * 2 >= fast_threshold(probe.kind)) remember_recent(s, probe.kind, now_ms);
        // Spread-out scans: the medium and slow windows count failed targets of
        // any kind, and only once the scan has lasted longer than the shorter window.
        const auto spread = [&](uint32_t window_s, uint32_t ports, uint32_t shorter_s) {
            const int64_t since = now_ms - int64_t(window_s) * 1000;
            int64_t first = now_ms;
            for (const auto& h : s.hits)
                if (h.last_ms >= since) first = std::min(first, h.first_ms);
            return s.count_any(since) >= ports && now_ms - first > int64_t(shorter_s) * 1000;
        };
        if (spread(t.medium_window_s, t.medium_ports, t.window_s)) {
            tier = Tier::medium;
            window = t.medium_window_s;
        } else if (!s.episode(ThreatClass::scan_slow) &&
                   spread(t.slow_window_s, t.slow_ports, t.medium_window_s)) {
            tier = Tier::slow;
            window = t.slow_window_s;
        } else {
            return;
        }
    }
    const int64_t since = now_ms - int64_t(window) * 1000;
    record(s, tier == Tier::slow ? ThreatClass::scan_slow : cls, tier, p, now_ms, probe.key, out,
           probe_technique(probe.kind), window, [&](Episode& e, bool) {
               for (const auto& h : s.hits)
                   if (h.last_ms >= since && (tier != Tier::fast || h.kind == probe.kind)) {
                       add_target(e.evidence, h.target);
                       // The episode began with the first probe it counts.
                       e.evidence.first_ms = std::min(e.evidence.first_ms, h.first_ms);
                   }
               e.evidence.distinct =
                   std::max(e.evidence.distinct, tier == Tier::fast ? fast : s.count_any(since));
               if (tier == Tier::fast) find_decoys(e, s, probe.kind, now_ms);
           });
}

void Engine::find_decoys(Episode& e, const SourceState& s, ProbeKind kind, int64_t now_ms) {
    remember_recent(s, kind, now_ms);
    std::vector<IpAddress> group;
    const uint32_t mine = s.count(kind, now_ms - kDecoyWindowMs);
    for (const auto& r : recent_) {
        if (r.kind != kind || r.source == s.address) continue;
        const SourceState* other = sources_.find(r.source);
        if (!other) continue;
        // Same targets: at least half of this source's recent targets were probed by the other one too.
        uint32_t shared = 0;
        for (const auto& h : s.hits)
            for (const auto& o : other->hits) shared += h.target == o.target && o.kind == kind;
        if (shared * 2 >= mine) group.push_back(r.source);
    }
    if (group.size() < 2) return;  // three or more sources at once
    ++stats_.decoy_groups;
    e.decoy_group = group;
    e.notify_only = true;
    e.notify_reason = "decoy scan: " + std::to_string(group.size() + 1) +
                      " sources probed the same ports at once, the sources may be spoofed";
}

void Engine::observe_signature(const Packet& p, const SignatureHit& hit, int64_t now_ms,
                               std::vector<Finding>& out) {
    record(sources_.get(p.src, now_ms), ThreatClass::exploit, Tier::instant, p, now_ms,
           uint32_t(p.protocol) << 16 | p.dport, out, hit.classtype, 0, [&](Episode& e, bool created) {
               if (created) {
                   e.rule_id = "sid:" + std::to_string(hit.sid);
                   e.title = hit.msg;
               }
               add_detail(e.evidence, "sid:" + std::to_string(hit.sid) + " " + hit.msg);
           });
}

}  // namespace vigil::network_threat
