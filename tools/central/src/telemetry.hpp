#pragma once
// Parsing and validation of telemetry batches (the body of POST /api/v1/agent/telemetry).
// The batch is read in one streaming pass (gunzip chunk by chunk, RapidJSON SAX): no
// document tree, no whole decompressed text, and every limit is checked while reading, so
// a small hostile body stops as soon as it crosses one.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "memory_budget.hpp"
#include "storage.hpp"

namespace vigil::central {

struct BatchLimits {
    size_t max_events = 100000;
    int max_depth = 64;                  // JSON nesting inside an event (and outside, + the batch levels)
    uint64_t max_values = 10000000;      // JSON values (scalars, objects, arrays) in the whole batch
    uint64_t max_event_bytes = 1 << 20;  // source text of one event; also the longest single token
    bool gather_text = true;             // EventInput::text (false: no word index to feed)
};

struct ParsedBatch {
    std::string agent_id;
    int64_t batch_seq = 0;
    std::vector<EventInput> events;
};

// Throws ApiError(400, reason naming the field, e.g. `events[3].time: ...`) on invalid input,
// 413 past a limit, and 503 when `memory` (may be null: unlimited) cannot hold the events.
// `header_agent_id` (the authenticated agent) must equal the body's agent_id (403 otherwise).
ParsedBatch parse_batch(std::string_view json_text, std::string_view header_agent_id,
                        const BatchLimits& limits, MemoryReservation* memory = nullptr);
// The same for a gzip body, decompressed as it is parsed (at most max_decompressed bytes).
ParsedBatch parse_gzip_batch(std::string_view gzip_body, uint64_t max_decompressed,
                             std::string_view header_agent_id, const BatchLimits& limits,
                             MemoryReservation* memory = nullptr);

}  // namespace vigil::central
