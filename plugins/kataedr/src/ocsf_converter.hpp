// Converts bus messages (events.h payloads) into OCSF 1.x aligned JSON
// objects, the event format of the wire protocol (PROTOCOL.md).
#pragma once

#include <cstddef>
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

// Bounds on one converted event: an attacker controls command lines (32 KiB of argv,
// each control byte escaped to 6 bytes, three copies per process event), so without
// them one event can be megabytes and a batch of them too big for the central node.
struct EventLimits {
    size_t max_string_bytes = SIZE_MAX;  // longer strings are cut (at a UTF-8 boundary) and marked
    size_t max_event_bytes = SIZE_MAX;   // the whole JSON object
};
// The marker appended to a cut string: " [truncated: N more bytes]".
std::string truncation_marker(size_t more_bytes);

// Appends the event as one JSON object to `out`. `event_seq` becomes
// metadata.sequence and part of metadata.uid. Returns false (and appends
// nothing) when the type is not convertible or the payload is malformed, or when a
// telemetry event stays above max_event_bytes with its strings cut to 128 bytes.
// Detections and action results are never refused for their size: they are cut as far
// as needed and sent.
bool append_ocsf(const OcsfContext& ctx, const EventView& ev, uint64_t event_seq, std::string& out,
                 const EventLimits& limits = {});

// What the rate limiter reports (see rate_limiter.hpp), as an OCSF base event of type
// "telemetry_limited".
struct LimitNotice {
    bool summary = false;
    uint32_t owner = 0;
    std::string type, reason;
    uint64_t window_start_ns = 0, dropped = 0, limit = 0;
};
void append_limit_notice(const OcsfContext& ctx, const LimitNotice& n, uint64_t event_seq, uint64_t time_ns,
                         std::string& out);

}  // namespace kataedr
