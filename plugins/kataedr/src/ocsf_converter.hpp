// Converts bus messages (events.h payloads) into OCSF 1.x aligned JSON
// objects, the event format of the wire protocol (PROTOCOL.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kataedr {

struct EventView {
    uint32_t type_id = 0;
    const void* payload = nullptr;
    uint32_t payload_size = 0;
    uint64_t time_ns = 0;
    uint64_t bus_sequence = 0;
    std::string_view source;  // publishing plugin
};

struct OcsfContext {
    std::string agent_id;
    std::string hostname;
    std::string product_version;
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

// Appends the event as one JSON object to `out`. `event_seq` becomes
// metadata.sequence and part of metadata.uid. Returns false (and appends
// nothing) when the type is not convertible or the payload is malformed.
bool append_ocsf(const OcsfContext& ctx, const EventView& ev, uint64_t event_seq, std::string& out);

}  // namespace kataedr
