// When did the agent last talk to a central node? The connector plugin
// (kataedr) publishes that in its status; plugins cannot read each other's
// config or state, but every plugin can read the host status snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::isolation {

// Finds the status of `plugin` in a host status JSON snapshot and returns the
// newest of its contact time fields (last_success_ns — what kataedr publishes
// in its connection status —, last_success_unix, last_success_ms,
// last_success, last_success_time, last_contact, last_contact_unix,
// last_contact_ms), in ms since the epoch. Numbers are read as s, ms, us or ns
// by magnitude; strings may hold a number or an ISO-8601 UTC time. nullopt
// when the plugin or the field is absent.
std::optional<int64_t> last_contact_ms(std::string_view host_status_json, std::string_view plugin);

}  // namespace vigil::isolation
