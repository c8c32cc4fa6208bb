#pragma once
// vigil-central under systemd (Type=notify, WatchdogSec=): READY=1 once the listener
// accepts, STOPPING=1 on shutdown, and WATCHDOG=1 every WatchdogSec/3 only while a probe
// of the server's own state returns true in time. A probe that hangs (a wedged database
// or lock) or fails stops the pings, and systemd restarts the node. Independent of the
// HTTP server implementation: serve() calls it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <vigil/common/sd_notify.hpp>

namespace vigil::central {

class ServiceNotify {
public:
    using Probe = std::function<bool()>;

    explicit ServiceNotify(common::SystemdNotifier notifier);
    ~ServiceNotify();  // stops the watchdog thread
    ServiceNotify(const ServiceNotify&) = delete;
    ServiceNotify& operator=(const ServiceNotify&) = delete;

    // READY=1 with a STATUS= line, then the watchdog thread (when systemd asked for one).
    void ready(const std::string& status, Probe probe);
    // STOPPING=1, then waits for a probe in progress: call before what the probe uses goes.
    void stopping();
    uint64_t pings() const { return pings_.load(); }

private:
    void run(Probe probe);

    common::SystemdNotifier notifier_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::atomic<uint64_t> pings_{0};
    std::thread thread_;
};

}  // namespace vigil::central
