// The agent-only allowance the isolation tests share: TCP out to the central node
// 192.0.2.10:8443, for the agent in `cgroup` only.
#pragma once

#include <string>

#include "exclusion.hpp"

namespace vigil::isolation::test {

inline Exclusion central_allowance(const std::string& cgroup) {
    Exclusion central;
    central.direction = Direction::outbound;
    central.protocol = 6;
    central.remote = parse_cidr("192.0.2.10", "central");
    central.remote_ports = PortRange{8443, 8443};
    central.agent = AgentScope{cgroup, 0, ""};
    return central;
}

}  // namespace vigil::isolation::test
