// What the connector's pipeline needs to know of a bus event before converting it: its
// kind (rate limiter), acting process (exclusions, fairness, detection trees) and whether
// its payload is well formed. The OCSF conversion itself is in ocsf_converter.*.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::kataedr {

struct EventView {
    uint32_t type_id = 0;
    const void* payload = nullptr;
    uint32_t payload_size = 0;
    uint64_t time_ns = 0;
    uint64_t bus_sequence = 0;
    std::string_view source;  // publishing plugin
};

// True for the types the connector uploads and knows how to convert.
bool convertible_type(uint32_t type_id);
// True for telemetry (subject to exclusions and the rate limit).
bool is_telemetry_type(uint32_t type_id);

// The fine-grained event type for the rate limiter ("file_create", ...).
std::string_view event_kind(const EventView& ev);

// Executable and command line of the acting process (for exclusions); empty
// when the payload carries no process.
struct ActorRef {
    std::string_view exe;
    std::string_view cmdline;
};
ActorRef actor_of(const EventView& ev);

// Identity of the acting (telemetry) or detected (threat) process, for fairness and
// detection trees; `present` is false when the payload carries no process context.
struct ProcessRef {
    bool present = false;
    int32_t pid = 0, ppid = 0;
    uint32_t uid = 0;
    uint64_t key = 0;
};
ProcessRef process_of(const EventView& ev);
// True when the payload is well formed for its type.
bool valid_payload(const EventView& ev);

}  // namespace vigil::kataedr
