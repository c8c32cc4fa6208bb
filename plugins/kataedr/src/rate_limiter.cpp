#include "rate_limiter.hpp"

#include <algorithm>

namespace kataedr {

RateLimiter::RateLimiter(bool enabled, uint32_t events_per_hour, uint32_t type_threshold_percent)
    : enabled_(enabled),
      per_hour_(events_per_hour),
      type_limit_(std::max<uint32_t>(1, uint32_t(uint64_t(events_per_hour) * type_threshold_percent / 100))) {
}

RateLimiter::Verdict RateLimiter::admit(std::string_view type, uint64_t now_ns) {
    if (!enabled_) return Verdict::accept;
    std::lock_guard<std::mutex> g(mu_);
    if (!window_open_ || now_ns >= window_start_ns_ + kWindowNs || now_ns < window_start_ns_) {
        // A new hour begins (also when the clock stepped back).
        window_open_ = true;
        window_start_ns_ = now_ns;
        window_total_ = 0;
        window_by_type_.clear();
    }
    auto it = window_by_type_.find(type);
    uint64_t of_type = it == window_by_type_.end() ? 0 : it->second;
    Verdict v = Verdict::accept;
    if (window_total_ >= per_hour_)
        v = Verdict::drop_total_limit;
    else if (of_type >= type_limit_)
        v = Verdict::drop_type_threshold;
    if (v == Verdict::accept) {
        ++window_total_;
        if (it == window_by_type_.end())
            window_by_type_.emplace(std::string(type), 1);
        else
            ++it->second;
        return v;
    }
    (v == Verdict::drop_total_limit ? dropped_total_limit_ : dropped_type_threshold_)++;
    auto d = dropped_by_type_.find(type);
    if (d == dropped_by_type_.end())
        dropped_by_type_.emplace(std::string(type), 1);
    else
        ++d->second;
    return v;
}

uint64_t RateLimiter::dropped() const {
    std::lock_guard<std::mutex> g(mu_);
    return dropped_total_limit_ + dropped_type_threshold_;
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
                    ",\"window_events\":" + std::to_string(window_total_) +
                    ",\"dropped_total_limit\":" + std::to_string(dropped_total_limit_) +
                    ",\"dropped_type_threshold\":" + std::to_string(dropped_type_threshold_) +
                    ",\"dropped_by_type\":{";
    bool first = true;
    for (const auto& [k, v] : dropped_by_type_) {
        s += (first ? "\"" : ",\"") + k + "\":" + std::to_string(v);
        first = false;
    }
    return s + "}}";
}

}  // namespace kataedr
