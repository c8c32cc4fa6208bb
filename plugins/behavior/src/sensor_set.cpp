#include "sensor_set.hpp"

#include "../sensors/netlink_proc_sensor.hpp"

#include <vigil/plugin.h>

#include <stdexcept>

namespace behavior {

std::vector<Sensor*> SensorSet::sensors() const {
    std::vector<Sensor*> out;
    for (const auto& s : running_) out.push_back(s.get());
    return out;
}

bool SensorSet::try_ebpf(SensorSink&, std::string& why) {
    why = "the eBPF sensor is not part of this build";
    return false;
}

void SensorSet::start_netlink(SensorSink& sink) {
    mechanism_ = "netlink";
    if (settings_.process_events) {
        auto s = std::make_unique<NetlinkProcSensor>();
        s->start(sink);  // without process events there is no telemetry: fail
        by_kind_.emplace_back("process", s->name());
        running_.push_back(std::move(s));
    }
}

void SensorSet::start(SensorSink& sink) {
    stop();
    if (settings_.sensor != "netlink") {
        std::string why;
        if (try_ebpf(sink, why)) {
            mechanism_ = "ebpf";
            return;
        }
        if (settings_.sensor == "ebpf") throw std::runtime_error("sensor: ebpf requested but unavailable: " + why);
        fallback_reason_ = why;
        log_(VIGIL_LOG_WARN, "eBPF sensors unavailable (" + why + "); falling back to netlink sensors");
    }
    start_netlink(sink);
}

void SensorSet::stop() {
    for (auto& s : running_) s->stop();
    running_.clear();
    by_kind_.clear();
}

}  // namespace behavior
