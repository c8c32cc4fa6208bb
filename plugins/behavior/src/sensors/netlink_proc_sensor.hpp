// Process events from the netlink proc connector (fork, exec, exit). The
// fallback process sensor: the kernel tells pids only, context comes from /proc.
#pragma once

#include "poll_thread.hpp"
#include "sensor.hpp"

#include <linux/cn_proc.h>

namespace vigil::behavior {

class NetlinkProcSensor : public Sensor {
public:
    NetlinkProcSensor() = default;
    ~NetlinkProcSensor() override { stop(); }
    std::string name() const override { return "netlink-proc"; }
    uint32_t kinds() const override { return kProcessSensor; }
    void start(SensorSink& sink) override;
    void stop() override;

private:
    void run(SensorSink& sink);
    void handle(const proc_event* ev, SensorSink& sink);
    int sock_ = -1;
    PollThread reader_;
};

}  // namespace vigil::behavior
