// When did the agent last talk to a central node? The connector plugin
// (kataedr, the connector to the central node) publishes it through the
// connector-contact contract (<vigil/agent.hpp>): "connector":
// {"last_contact_ns": N, ...} at the top of its status JSON. Plugins cannot
// read each other's state, but every plugin can read the host status snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::isolation {

// The connector `plugin`'s last_contact_ns from a host status JSON snapshot,
// in ms since the epoch. nullopt when the plugin does not publish the
// contract (absent, stopped, not a connector) or never reached a central node
// (0). No other field of the connector's status is read: a connector without
// the contract only counts through the self-test (`<plugin>.check_contact`).
std::optional<int64_t> last_contact_ms(std::string_view host_status_json, std::string_view plugin);

}  // namespace vigil::isolation
