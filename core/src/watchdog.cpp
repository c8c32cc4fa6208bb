#include "watchdog.hpp"

#include <vigil/common/time.hpp>

#include "log.hpp"

namespace vigil::core {

int64_t monotonic_ms() { return common::monotonic_ns() / 1000000; }

std::vector<std::string> LivenessCheck::evaluate(const std::vector<SubscriptionSnapshot>& subs,
                                                 const std::vector<Heartbeat>& heartbeats, Clock::time_point now,
                                                 int64_t now_ms) {
    std::vector<std::string> out;
    std::map<uint64_t, Seen> still_busy;
    for (const auto& s : subs) {
        if (!s.live || !s.busy) continue;
        auto it = busy_.find(s.id);
        Seen seen{s.delivered, now};
        if (it != busy_.end() && it->second.delivered == s.delivered) seen.since = it->second.since;
        still_busy[s.id] = seen;
        auto stuck = std::chrono::duration_cast<std::chrono::milliseconds>(now - seen.since);
        if (stuck >= limit_)
            out.push_back("bus subscriber " + s.owner + " has not finished a delivery for " +
                          std::to_string(stuck.count() / 1000) + " s (" + std::to_string(s.depth) + " queued)");
    }
    busy_.swap(still_busy);
    for (const auto& h : heartbeats) {
        if (h.monotonic_ms <= 0) continue;
        int64_t age = now_ms - h.monotonic_ms;
        if (age >= limit_.count())
            out.push_back(h.plugin + " " + h.component + " made no progress for " + std::to_string(age / 1000) + " s");
    }
    return out;
}

Watchdog::Watchdog(const SystemdNotifier& notifier, Sources sources, std::chrono::milliseconds stall_limit)
    : notifier_(notifier), sources_(std::move(sources)), check_(stall_limit) {}

Watchdog::~Watchdog() { stop(); }

void Watchdog::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { run(); });
}

void Watchdog::stop() {
    {
        std::lock_guard<std::mutex> g(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Watchdog::set_stall_limit(std::chrono::milliseconds limit) {
    std::lock_guard<std::mutex> g(mu_);
    check_.set_limit(limit);
}

std::vector<std::string> Watchdog::problems() const {
    std::lock_guard<std::mutex> g(mu_);
    return problems_;
}

void Watchdog::tick(std::chrono::steady_clock::time_point now, std::chrono::steady_clock::time_point& next_ping) {
    auto subs = sources_.subscriptions ? sources_.subscriptions() : std::vector<SubscriptionSnapshot>{};
    auto beats = sources_.heartbeats ? sources_.heartbeats() : std::vector<Heartbeat>{};
    std::vector<std::string> problems;
    {
        std::lock_guard<std::mutex> g(mu_);
        problems = check_.evaluate(subs, beats, now, monotonic_ms());
        problems_ = problems;
    }
    const bool ok = problems.empty();
    const bool was_ok = healthy_.exchange(ok);
    if (!ok) {
        // Repeated every second while stalled; the log rate limit keeps it to a few lines.
        for (const auto& p : problems) log_error("watchdog", p + "; systemd watchdog pings withheld");
        if (was_ok) {
            stalls_.fetch_add(1);
            notifier_.status("stalled: " + problems.front());
        }
        return;
    }
    if (!was_ok) {
        log_info("watchdog", "progress again; systemd watchdog pings resume");
        notifier_.status("running");
    }
    const auto timeout = notifier_.watchdog_timeout();
    if (timeout.count() > 0 && now >= next_ping) {
        // Three pings per timeout: one lost or late ping is not fatal.
        if (notifier_.watchdog_ping()) pings_.fetch_add(1);
        next_ping = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout / 3);
    }
}

void Watchdog::run() {
    auto next_ping = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lk(mu_);
    while (!stopping_) {
        lk.unlock();
        tick(std::chrono::steady_clock::now(), next_ping);
        log_flush_suppressed();
        lk.lock();
        // Evaluate often so the ping interval (timeout / 3) is honoured
        // closely, and a stall is seen within a second.
        auto step = std::chrono::milliseconds(1000);
        auto timeout = notifier_.watchdog_timeout();
        if (timeout.count() > 0 && timeout / 6 < step)
            step = std::max(std::chrono::milliseconds(10), std::chrono::duration_cast<std::chrono::milliseconds>(timeout / 6));
        cv_.wait_for(lk, step, [this] { return stopping_; });
    }
}

}  // namespace vigil::core
