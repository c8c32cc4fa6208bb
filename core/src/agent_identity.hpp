// The agent's persistent identity: a UUID created on first start and kept in
// the state directory (one client certificate may be shared by many hosts, so
// the central node tells agents apart by this id).
#pragma once
#include <string>

namespace vigil::core {
// Returns the id, creating <state_dir>/agent_id when missing; empty + error on failure.
std::string load_or_create_agent_id(const std::string& state_dir, std::string& error);
std::string local_hostname();
}  // namespace vigil::core
