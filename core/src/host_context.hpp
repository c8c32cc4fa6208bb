// What the daemon offers every plugin instance besides the bus.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "bus.hpp"
#include "quarantine_store.hpp"

namespace vigil::core {

struct HostContext {
    Bus* bus = nullptr;
    QuarantineStore* quarantine = nullptr;
    std::string agent_id;
    std::string hostname;
    std::string version;
    std::string state_dir;
    uint32_t default_queue_capacity = 65536;
    // How long a stopping plugin still receives what was queued for it.
    std::chrono::milliseconds stop_drain{2000};
    std::function<std::string()> host_status_json;
};

}  // namespace vigil::core
