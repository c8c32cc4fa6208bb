// TCP connections from NETLINK_SOCK_DIAG snapshots: the fallback network
// sensor. Each poll dumps IPv4 and IPv6 TCP sockets and reports what changed:
// a new listener (listen), a new connection (accept when its local port is
// listening, else connect), a vanished one (close). Owners are found through
// /proc/<pid>/fd. Connections shorter than the poll interval are not seen.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <thread>
#include <tuple>
#include <vigil/common/sock_diag.hpp>

#include "sensor.hpp"

namespace vigil::behavior {

class SockDiagSensor : public Sensor {
public:
    SockDiagSensor(uint32_t interval_ms, int32_t self_pid) : interval_ms_(interval_ms), self_pid_(self_pid) {}
    ~SockDiagSensor() override { stop(); }
    std::string name() const override { return "sock_diag"; }
    uint32_t kinds() const override { return kNetworkSensor; }
    void start(SensorSink& sink) override;
    void stop() override;

    // A socket as inet_diag reports it, and the process found holding it.
    struct Sock : common::TcpDiagEntry {
        int32_t pid = 0;
    };

private:
    void run(SensorSink& sink);
    bool snapshot(std::map<uint64_t, Sock>& out);
    void poll_once(SensorSink& sink, bool baseline);

    uint32_t interval_ms_;
    int32_t self_pid_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::map<uint64_t, Sock> known_;  // by socket inode
};

}  // namespace vigil::behavior
