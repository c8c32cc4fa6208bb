#include "telemetry.hpp"

#include <cmath>

#include "api_error.hpp"
#include "batch_parser.hpp"
#include "gzip.hpp"
#include "ids.hpp"
#include "json.hpp"

namespace vigil::central {
namespace {

// Largest event time we accept: keeps time_ns inside int64 (year 2255).
constexpr double kMaxTimeMs = 9.0e12;

}  // namespace

EventInput finish_event(EventDraft& draft, std::string_view source, size_t index) {
    using Num = EventDraft::Num;
    const std::string where = "events[" + std::to_string(index) + "]";
    EventInput out;
    if (!draft.type_seen || !draft.type_is_string)
        throw ApiError(400, where + ".type: missing or not a string");
    out.type = std::move(draft.type);
    if (!valid_event_type(out.type))
        throw ApiError(400, where + ".type: invalid type " + json::quote(out.type));

    if (draft.class_uid != Num::int64 || draft.class_value < 0 || draft.class_value > 999999)
        throw ApiError(400, where + ".class_uid: missing or not an integer in 0..999999");
    out.class_uid = draft.class_value;

    if (draft.time != Num::int64 && draft.time != Num::other_number)
        throw ApiError(400, where + ".time: missing or not a number (ms since epoch)");
    const double ms = draft.time_double;
    if (!(ms >= 0 && ms <= kMaxTimeMs)) throw ApiError(400, where + ".time: out of range");
    out.time_ns =
        draft.time == Num::int64 ? draft.time_int * 1000000 : static_cast<int64_t>(std::llround(ms * 1e6));

    // Stored as received when that is already the compact form, else serialized compactly.
    if (json::is_compact_canonical(source)) {
        out.raw.assign(source);
    } else {
        rapidjson::Document doc;
        if (auto err = json::parse(doc, source))
            throw ApiError(500, where + ": cannot re-read the event: " + *err);
        out.raw = json::to_string(doc);
    }
    out.text = std::move(draft.text);
    return out;
}

ParsedBatch parse_batch(std::string_view json_text, std::string_view header_agent_id,
                        const BatchLimits& limits, MemoryReservation* memory) {
    MemorySource source(json_text);
    return parse_batch_source(source, header_agent_id, limits, memory);
}

ParsedBatch parse_gzip_batch(std::string_view gzip_body, uint64_t max_decompressed,
                             std::string_view header_agent_id, const BatchLimits& limits,
                             MemoryReservation* memory) {
    GunzipSource source(gzip_body, max_decompressed);
    return parse_batch_source(source, header_agent_id, limits, memory);
}

}  // namespace vigil::central
