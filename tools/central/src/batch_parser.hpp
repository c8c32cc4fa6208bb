#pragma once
// The streaming telemetry batch reader behind parse_batch / parse_gzip_batch: a RapidJSON
// SAX handler that follows the batch layout ({"agent_id", "batch_seq", "events": [...]}),
// counts values, events and nesting as it goes, and hands each finished event with its
// source text to finish_event().
#include <cstdint>
#include <string>
#include <string_view>

#include "json_input.hpp"
#include "telemetry.hpp"

namespace vigil::central {

// What the reader gathered about one event: the first occurrence of each member the server
// reads (as RapidJSON's member lookup would find it), and the event's string values.
struct EventDraft {
    enum class Num { absent, int64, other_number, not_a_number };
    bool type_seen = false;
    bool type_is_string = false;
    std::string type;
    Num class_uid = Num::absent;
    int64_t class_value = 0;
    Num time = Num::absent;
    int64_t time_int = 0;
    double time_double = 0;
    std::string text;  // string values outside skipped keys, space separated (word index)
};

// Validates the draft and builds the stored event; throws ApiError naming events[index].
// `source` is the event's text exactly as it appeared in the batch.
EventInput finish_event(EventDraft& draft, std::string_view source, size_t index);

ParsedBatch parse_batch_source(ChunkSource& source, std::string_view header_agent_id,
                               const BatchLimits& limits, MemoryReservation* memory);

}  // namespace vigil::central
