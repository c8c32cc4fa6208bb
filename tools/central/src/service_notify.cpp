#include "service_notify.hpp"

namespace vigil::central {

ServiceNotify::ServiceNotify(common::SystemdNotifier notifier) : notifier_(std::move(notifier)) {}

ServiceNotify::~ServiceNotify() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    // A probe stuck for good would block here; the process is exiting and systemd's
    // TimeoutStopSec bounds it.
    if (thread_.joinable()) thread_.join();
}

void ServiceNotify::ready(const std::string& status, Probe probe) {
    notifier_.ready(status);
    if (notifier_.watchdog_timeout().count() > 0 && probe) thread_ = std::thread([this, probe] { run(probe); });
}

void ServiceNotify::stopping() {
    notifier_.stopping();
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();  // the probe must not outlive what it probes
}

void ServiceNotify::run(Probe probe) {
    const auto period = notifier_.watchdog_timeout() / 3;
    std::unique_lock lock(mu_);
    while (!stop_) {
        lock.unlock();
        // The probe runs on this thread: if it never returns, no ping is ever sent again.
        bool healthy = false;
        try {
            healthy = probe();
        } catch (...) {
            healthy = false;
        }
        if (healthy && notifier_.watchdog_ping()) pings_.fetch_add(1);
        lock.lock();
        cv_.wait_for(lock, period, [this] { return stop_; });
    }
}

}  // namespace vigil::central
