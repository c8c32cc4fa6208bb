// What the daemon offers every plugin instance besides the bus.
#pragma once
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
    std::function<std::string()> host_status_json;
};

}  // namespace vigil::core
