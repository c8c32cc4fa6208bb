#include "telemetry.hpp"

#include <cmath>

#include "api_error.hpp"
#include "batch_document.hpp"
#include "ids.hpp"
#include "json.hpp"

namespace vigil::central {
namespace {

// Largest event time we accept: keeps time_ns inside int64 (year 2255).
constexpr double kMaxTimeMs = 9.0e12;

// Keys whose values are the same boilerplate in every event (class names, product
// metadata, the device block that repeats the agent): indexing them costs ingest time
// and finds nothing an operator would search for.
bool skip_for_text(std::string_view key) {
    static constexpr std::string_view kSkip[] = {"metadata",      "device",    "class_name", "activity_name",
                                                 "category_name", "type_name", "severity",   "algorithm",
                                                 "type",          "status"};
    for (auto k : kSkip)
        if (k == key) return true;
    return false;
}

// Gathers the string values of an event (paths, command lines, users, addresses, titles,
// hashes) for the word index.
void collect_text(const rapidjson::Value& v, std::string& out) {
    if (v.IsString()) {
        if (!out.empty()) out += ' ';
        out.append(v.GetString(), v.GetStringLength());
    } else if (v.IsObject()) {
        for (const auto& m : v.GetObject()) {
            if (!skip_for_text({m.name.GetString(), m.name.GetStringLength()})) collect_text(m.value, out);
        }
    } else if (v.IsArray()) {
        for (const auto& e : v.GetArray()) collect_text(e, out);
    }
}

EventInput parse_event(const rapidjson::Value& ev, std::string_view source, size_t index,
                       const BatchLimits& limits) {
    const std::string where = "events[" + std::to_string(index) + "]";
    if (!ev.IsObject()) throw ApiError(400, where + ": must be an object");
    if (json::deeper_than(ev, limits.max_depth))
        throw ApiError(400, where + ": nested deeper than " + std::to_string(limits.max_depth) + " levels");
    EventInput out;
    const auto* type = json::member(ev, "type");
    if (!type || !type->IsString()) throw ApiError(400, where + ".type: missing or not a string");
    out.type.assign(type->GetString(), type->GetStringLength());
    if (!valid_event_type(out.type))
        throw ApiError(400, where + ".type: invalid type " + json::quote(out.type));

    const auto* cls = json::member(ev, "class_uid");
    if (!cls || !cls->IsInt64() || cls->GetInt64() < 0 || cls->GetInt64() > 999999)
        throw ApiError(400, where + ".class_uid: missing or not an integer in 0..999999");
    out.class_uid = cls->GetInt64();

    const auto* time = json::member(ev, "time");
    if (!time || !time->IsNumber())
        throw ApiError(400, where + ".time: missing or not a number (ms since epoch)");
    double ms = time->GetDouble();
    if (!(ms >= 0 && ms <= kMaxTimeMs)) throw ApiError(400, where + ".time: out of range");
    out.time_ns = time->IsInt64() ? time->GetInt64() * 1000000 : static_cast<int64_t>(std::llround(ms * 1e6));

    // Stored as received when that is already the compact form, else serialized compactly.
    if (!source.empty() && is_compact_canonical(source))
        out.raw.assign(source);
    else
        out.raw = json::to_string(ev);
    collect_text(ev, out.text);
    return out;
}

}  // namespace

ParsedBatch parse_batch(std::string_view json_text, std::string_view header_agent_id,
                        const BatchLimits& limits) {
    BatchDocument parsed;
    if (auto err = parse_batch_document(parsed, json_text)) throw ApiError(400, *err);
    const rapidjson::Document& doc = parsed.doc;
    if (!doc.IsObject()) throw ApiError(400, "batch must be a JSON object");

    ParsedBatch batch;
    batch.agent_id = json::string_or(doc, "agent_id");
    if (!valid_agent_id(batch.agent_id)) throw ApiError(400, "agent_id: missing or invalid");
    if (batch.agent_id != header_agent_id)
        throw ApiError(403, "agent_id " + json::quote(batch.agent_id) + " is not the authenticated agent " +
                                json::quote(header_agent_id));

    const auto* seq = json::member(doc, "batch_seq");
    if (!seq || !seq->IsInt64() || seq->GetInt64() < 0)
        throw ApiError(400, "batch_seq: missing or not a non-negative integer");
    batch.batch_seq = seq->GetInt64();

    const auto* events = json::member(doc, "events");
    if (!events || !events->IsArray()) throw ApiError(400, "events: missing or not an array");
    if (events->Size() > limits.max_events)
        throw ApiError(413, "events: " + std::to_string(events->Size()) +
                                " events exceed the batch limit of " + std::to_string(limits.max_events));
    batch.events.reserve(events->Size());
    // The recorded sources belong to the first "events" member, the one looked up above.
    const auto& sources = parsed.event_sources;
    const bool have_sources = sources.size() == events->Size();
    size_t i = 0;
    for (const auto& ev : events->GetArray()) {
        batch.events.push_back(parse_event(ev, have_sources ? sources[i] : std::string_view(), i, limits));
        ++i;
    }
    return batch;
}

}  // namespace vigil::central
