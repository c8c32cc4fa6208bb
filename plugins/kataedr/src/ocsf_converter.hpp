// Converts bus messages (events.h payloads) into OCSF 1.x aligned JSON
// objects, the event format of the wire protocol (PROTOCOL.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "event_facts.hpp"

namespace vigil::kataedr {


struct OcsfContext {
    std::string agent_id;
    std::string hostname;
    std::string product_version;
};

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

}  // namespace vigil::kataedr
