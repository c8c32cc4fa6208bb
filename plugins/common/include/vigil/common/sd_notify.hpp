// The systemd service notification protocol (sd_notify(3)), written here so
// that vigild and vigil-central do not link libsystemd: one datagram per state change to the
// AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for an abstract
// socket), e.g. "READY=1", "RELOADING=1\nMONOTONIC_USEC=…", "STOPPING=1",
// "WATCHDOG=1", "STATUS=…". Without $NOTIFY_SOCKET every call is a no-op.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::common {

class SystemdNotifier {
public:
    // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID, then removes them
    // from the environment (processes the agent starts must not talk to
    // systemd in its name). Call before any thread exists.
    static SystemdNotifier from_environment();

    SystemdNotifier() = default;
    SystemdNotifier(std::string socket, std::chrono::microseconds watchdog);

    bool enabled() const { return !socket_.empty(); }
    // The watchdog timeout systemd applies (WatchdogSec=), zero when off.
    std::chrono::microseconds watchdog_timeout() const { return watchdog_; }

    // Sends one datagram; false (with errno set) when it could not be sent.
    bool send(std::string_view state) const;
    bool ready(std::string_view status = {}) const;
    bool reloading() const;  // with MONOTONIC_USEC, as Type=notify-reload wants
    bool stopping() const;
    bool watchdog_ping() const;
    bool status(std::string_view text) const;

private:
    std::string socket_;
    std::chrono::microseconds watchdog_{0};
};

}  // namespace vigil::common
