#include "rate_limiter.hpp"

#include <algorithm>

namespace vigil::kataedr {

namespace {

uint32_t share_of(uint32_t total, uint32_t percent) {
    return std::max<uint32_t>(1, uint32_t(uint64_t(total) * percent / 100));
}

}  // namespace

const char* verdict_reason(RateLimiter::Verdict v) {
    switch (v) {
        case RateLimiter::Verdict::drop_total_limit:
            return "total_limit";
        case RateLimiter::Verdict::drop_type_threshold:
            return "type_threshold";
        case RateLimiter::Verdict::drop_owner_share:
            return "owner_share";
        default:
            return "accept";
    }
}

RateLimiter::RateLimiter(bool enabled, uint32_t events_per_hour, uint32_t type_threshold_percent)
    : RateLimiter(Options{enabled, events_per_hour, type_threshold_percent, 100}) {}

RateLimiter::RateLimiter(Options o)
    : enabled_(o.enabled),
      per_hour_(o.events_per_hour),
      type_limit_(share_of(o.events_per_hour, o.type_threshold_percent)),
      owner_limit_(share_of(o.events_per_hour, std::min<uint32_t>(o.owner_share_percent, 100))) {}

// A new hour begins (also when the clock stepped back): owners that dropped events in
// the ending window get a summary notice.
void RateLimiter::roll_window_locked(uint64_t now_ns) {
    for (const auto& [id, o] : owners_) {
        if (o.dropped == 0) continue;
        Notice n;
        n.summary = true;
        n.owner = id;
        n.reason = "window_end";
        n.window_start_ns = window_start_ns_;
        n.dropped = o.dropped;
        n.limit = owner_limit_;
        notices_.push_back(std::move(n));
    }
    window_open_ = true;
    window_start_ns_ = now_ns;
    window_total_ = 0;
    owners_.clear();
}

RateLimiter::Verdict RateLimiter::judge_locked(const Owner& o, std::string_view type) const {
    if (window_total_ >= per_hour_) return Verdict::drop_total_limit;
    if (o.total >= owner_limit_) return Verdict::drop_owner_share;
    auto it = o.by_type.find(type);
    if (it != o.by_type.end() && it->second >= type_limit_) return Verdict::drop_type_threshold;
    return Verdict::accept;
}

void RateLimiter::count_drop_locked(Owner& o, uint32_t owner, std::string_view type, Verdict v) {
    if (v == Verdict::drop_total_limit) ++dropped_total_limit_;
    else if (v == Verdict::drop_owner_share) ++dropped_owner_share_;
    else ++dropped_type_threshold_;
    auto d = dropped_by_type_.find(type);
    if (d == dropped_by_type_.end()) dropped_by_type_.emplace(std::string(type), 1);
    else ++d->second;
    ++o.dropped;
    auto w = o.dropped_by_type.find(type);
    if (w == o.dropped_by_type.end()) w = o.dropped_by_type.emplace(std::string(type), 0).first;
    if (++w->second != 1) return;
    // The first drop of this owner and type in this window: tell the central node.
    Notice n;
    n.owner = owner;
    n.type = std::string(type);
    n.reason = verdict_reason(v);
    n.window_start_ns = window_start_ns_;
    n.dropped = 1;
    n.limit = v == Verdict::drop_total_limit ? per_hour_ : v == Verdict::drop_owner_share ? owner_limit_ : type_limit_;
    notices_.push_back(std::move(n));
}

RateLimiter::Verdict RateLimiter::admit(uint32_t owner, std::string_view type, uint64_t now_ns) {
    if (!enabled_) return Verdict::accept;
    std::lock_guard<std::mutex> g(mu_);
    if (!window_open_ || now_ns >= window_start_ns_ + kWindowNs || now_ns < window_start_ns_)
        roll_window_locked(now_ns);
    if (!owners_.count(owner) && owners_.size() >= kMaxOwners) owner = kNoOwner;
    Owner& o = owners_[owner];
    Verdict v = judge_locked(o, type);
    if (v != Verdict::accept) {
        count_drop_locked(o, owner, type, v);
        return v;
    }
    ++window_total_;
    ++o.total;
    auto it = o.by_type.find(type);
    if (it == o.by_type.end()) o.by_type.emplace(std::string(type), 1);
    else ++it->second;
    return v;
}

std::vector<RateLimiter::Notice> RateLimiter::take_notices() {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<Notice> out;
    out.swap(notices_);
    return out;
}

bool RateLimiter::has_notices() const {
    std::lock_guard<std::mutex> g(mu_);
    return !notices_.empty();
}

uint64_t RateLimiter::dropped() const {
    std::lock_guard<std::mutex> g(mu_);
    return dropped_total_limit_ + dropped_type_threshold_ + dropped_owner_share_;
}

std::map<std::string, uint64_t> RateLimiter::dropped_by_type() const {
    std::lock_guard<std::mutex> g(mu_);
    return {dropped_by_type_.begin(), dropped_by_type_.end()};
}

std::string RateLimiter::status_json() const {
    std::lock_guard<std::mutex> g(mu_);
    std::string s = "{\"enabled\":" + std::string(enabled_ ? "true" : "false") +
                    ",\"events_per_hour\":" + std::to_string(per_hour_) +
                    ",\"per_type_limit\":" + std::to_string(type_limit_) +
                    ",\"per_owner_limit\":" + std::to_string(owner_limit_) +
                    ",\"window_events\":" + std::to_string(window_total_) +
                    ",\"window_owners\":" + std::to_string(owners_.size()) +
                    ",\"dropped_total_limit\":" + std::to_string(dropped_total_limit_) +
                    ",\"dropped_type_threshold\":" + std::to_string(dropped_type_threshold_) +
                    ",\"dropped_owner_share\":" + std::to_string(dropped_owner_share_) +
                    ",\"dropped_by_type\":{";
    bool first = true;
    for (const auto& [k, v] : dropped_by_type_) {
        s += (first ? "\"" : ",\"") + k + "\":" + std::to_string(v);
        first = false;
    }
    return s + "}}";
}

}  // namespace vigil::kataedr
