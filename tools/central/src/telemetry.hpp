#pragma once
// Parsing and validation of telemetry batches (the body of POST /api/v1/agent/telemetry
// after gunzip). Separate from HTTP so unit tests and the fuzzer drive it directly.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage.hpp"

namespace vigil::central {

struct BatchLimits {
    size_t max_events = 100000;
    int max_depth = 64;  // JSON nesting inside an event
};

struct ParsedBatch {
    std::string agent_id;
    int64_t batch_seq = 0;
    std::vector<EventInput> events;
};

// Throws ApiError(400, reason naming the field, e.g. `events[3].time: ...`) on invalid input.
// `header_agent_id` (the authenticated agent) must equal the body's agent_id (403 otherwise).
ParsedBatch parse_batch(std::string_view json_text, std::string_view header_agent_id,
                        const BatchLimits& limits);

}  // namespace vigil::central
