#include "batch_parser.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <limits>
#include <optional>

#include "event_text.hpp"
#include "ids.hpp"
#include "json.hpp"

namespace vigil::central {
namespace {

// Bytes a stored event costs besides its two strings (the EventInput, vector growth,
// allocator headers), charged to the request's memory reservation.
constexpr uint64_t kEventOverhead = 2 * sizeof(EventInput) + 64;
// The parser's fixed working set (gunzip window and output chunk, RapidJSON's stack).
constexpr uint64_t kParserBase = 256 * 1024;

// A scalar as the handler sees it, with RapidJSON's notion of "is an Int64".
struct Scalar {
    enum class Kind { other, int64, dbl, string } kind = Kind::other;
    int64_t i = 0;
    double d = 0;
    std::string_view s;
};

// What kind of number a top-level member's value is (null `v`: not a scalar).
EventDraft::Num number_kind(const Scalar* v) {
    using Num = EventDraft::Num;
    if (!v) return Num::not_a_number;
    if (v->kind == Scalar::Kind::int64) return Num::int64;
    return v->kind == Scalar::Kind::dbl ? Num::other_number : Num::not_a_number;
}

class BatchHandler {
public:
    BatchHandler(ChunkStream& stream, std::string_view header_agent_id, const BatchLimits& limits,
                 MemoryReservation* memory, ParsedBatch& out)
        : stream_(stream), header_agent_id_(header_agent_id), limits_(limits), memory_(memory), out_(out) {}

    bool Null() { return scalar({}); }
    bool Bool(bool) { return scalar({}); }
    bool Int(int i) { return scalar({Scalar::Kind::int64, i, 0, {}}); }
    bool Uint(unsigned u) { return scalar({Scalar::Kind::int64, u, 0, {}}); }
    bool Int64(int64_t i) { return scalar({Scalar::Kind::int64, i, 0, {}}); }
    bool Uint64(uint64_t u) {
        if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return scalar({Scalar::Kind::int64, static_cast<int64_t>(u), 0, {}});
        return scalar({Scalar::Kind::dbl, 0, static_cast<double>(u), {}});
    }
    bool Double(double d) { return scalar({Scalar::Kind::dbl, 0, d, {}}); }
    bool RawNumber(const char*, rapidjson::SizeType, bool) { return scalar({}); }
    bool String(const char* s, rapidjson::SizeType n, bool) {
        return scalar({Scalar::Kind::string, 0, 0, std::string_view(s, n)});
    }
    bool Key(const char* s, rapidjson::SizeType n, bool);
    bool StartObject() { return start_container(true); }
    bool StartArray() { return start_container(false); }
    bool EndObject(rapidjson::SizeType) { return end_container(); }
    bool EndArray(rapidjson::SizeType) { return end_container(); }

    const std::optional<ApiError>& error() const { return error_; }
    // Checks that need the whole document (members that never appeared).
    void check_complete() const;

private:
    enum class RootKey { other, agent_id, batch_seq, events };
    enum class EventKey { other, type, class_uid, time };
    enum class Events { before, inside, after };  // the first root "events" member

    bool fail(int status, std::string reason) {
        if (!error_) error_.emplace(status, reason);
        return false;
    }
    std::string where() const { return "events[" + std::to_string(out_.events.size()) + "]"; }
    bool begin_value(bool container);
    bool scalar(const Scalar& v);
    bool start_container(bool object);
    bool end_container();
    bool root_value(const Scalar* v, bool object);
    void event_value(const Scalar* v);
    bool start_event();
    bool end_event();

    ChunkStream& stream_;
    std::string_view header_agent_id_;
    const BatchLimits& limits_;
    MemoryReservation* memory_;
    ParsedBatch& out_;
    std::optional<ApiError> error_;

    int depth_ = 0;  // containers open around the current token
    uint64_t values_ = 0;
    RootKey root_key_ = RootKey::other;
    bool agent_seen_ = false, seq_seen_ = false, events_seen_ = false;
    Events events_ = Events::before;
    // The event being read (depth_ >= 3 while inside it).
    bool in_event_ = false;
    EventDraft draft_;
    EventKey event_key_ = EventKey::other;
    bool pending_skip_ = false;  // the last key's value is not indexed
    int skip_depth_ = -1;        // >= 0: inside a container that is not indexed
};

bool BatchHandler::Key(const char* s, rapidjson::SizeType n, bool) {
    if (!stream_.mark()) return false;
    const std::string_view key(s, n);
    if (depth_ == 1) {
        root_key_ = RootKey::other;
        if (key == "agent_id" && !agent_seen_) root_key_ = RootKey::agent_id, agent_seen_ = true;
        if (key == "batch_seq" && !seq_seen_) root_key_ = RootKey::batch_seq, seq_seen_ = true;
        if (key == "events" && !events_seen_) root_key_ = RootKey::events, events_seen_ = true;
        return true;
    }
    if (!in_event_) return true;
    if (depth_ == 3) {
        event_key_ = EventKey::other;
        if (key == "type" && !draft_.type_seen) event_key_ = EventKey::type, draft_.type_seen = true;
        if (key == "class_uid" && draft_.class_uid == EventDraft::Num::absent)
            event_key_ = EventKey::class_uid;
        if (key == "time" && draft_.time == EventDraft::Num::absent) event_key_ = EventKey::time;
    }
    pending_skip_ = skip_depth_ < 0 && skipped_for_index(key);
    return true;
}

// Counts the value and enforces the nesting limits before anything else looks at it.
bool BatchHandler::begin_value(bool container) {
    if (!stream_.mark()) return false;
    if (++values_ > limits_.max_values)
        return fail(413, "batch holds more than " + std::to_string(limits_.max_values) + " JSON values");
    if (in_event_ && depth_ - 2 > limits_.max_depth)
        return fail(400, where() + ": nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    if (container && depth_ > limits_.max_depth + 2)
        return fail(400, "batch nests deeper than " + std::to_string(limits_.max_depth + 2) + " levels");
    return true;
}

bool BatchHandler::scalar(const Scalar& v) {
    if (!begin_value(false)) return false;
    if (depth_ == 0) return fail(400, "batch must be a JSON object");
    if (depth_ == 1) return root_value(&v, false);
    if (depth_ == 2 && events_ == Events::inside) return fail(400, where() + ": must be an object");
    if (in_event_) event_value(&v);
    return true;
}

bool BatchHandler::start_container(bool object) {
    if (!begin_value(true)) return false;
    if (depth_ == 0 && !object) return fail(400, "batch must be a JSON object");
    if (depth_ == 1 && !root_value(nullptr, object)) return false;
    if (depth_ == 2 && events_ == Events::inside) {
        if (!object) return fail(400, where() + ": must be an object");
        if (!start_event()) return false;
    } else if (in_event_) {
        event_value(nullptr);
        if (pending_skip_ && skip_depth_ < 0) skip_depth_ = depth_;
        pending_skip_ = false;
    }
    ++depth_;
    return true;
}

bool BatchHandler::end_container() {
    if (!stream_.mark()) return false;
    --depth_;
    if (in_event_ && depth_ == 2) return end_event();
    if (depth_ == skip_depth_) skip_depth_ = -1;
    if (depth_ == 1 && events_ == Events::inside) events_ = Events::after;
    return true;
}

// A value of a root member: the three the server reads are checked as soon as they are seen.
bool BatchHandler::root_value(const Scalar* v, bool object) {
    switch (root_key_) {
        case RootKey::agent_id:
            if (!v || v->kind != Scalar::Kind::string || !valid_agent_id(std::string(v->s)))
                return fail(400, "agent_id: missing or invalid");
            if (v->s != header_agent_id_)
                return fail(403, "agent_id " + json::quote(v->s) + " is not the authenticated agent " +
                                     json::quote(header_agent_id_));
            out_.agent_id.assign(v->s);
            return true;
        case RootKey::batch_seq:
            if (!v || v->kind != Scalar::Kind::int64 || v->i < 0)
                return fail(400, "batch_seq: missing or not a non-negative integer");
            out_.batch_seq = v->i;
            return true;
        case RootKey::events:
            if (v || object) return fail(400, "events: missing or not an array");
            events_ = Events::inside;
            return true;
        case RootKey::other:
            return true;
    }
    return true;
}

// Any value inside the event: records the members the server reads, gathers indexed text.
void BatchHandler::event_value(const Scalar* v) {
    if (depth_ == 3) {
        switch (event_key_) {
            case EventKey::type:
                draft_.type_is_string = v && v->kind == Scalar::Kind::string;
                if (draft_.type_is_string) draft_.type.assign(v->s);
                break;
            case EventKey::class_uid:
                draft_.class_uid = number_kind(v);
                draft_.class_value = v ? v->i : 0;
                break;
            case EventKey::time:
                draft_.time = number_kind(v);
                draft_.time_int = v ? v->i : 0;
                draft_.time_double = v && v->kind == Scalar::Kind::int64 ? static_cast<double>(v->i)
                                     : v                                 ? v->d
                                                                         : 0;
                break;
            case EventKey::other:
                break;
        }
        event_key_ = EventKey::other;
    }
    if (v && v->kind == Scalar::Kind::string && skip_depth_ < 0 && !pending_skip_ && limits_.gather_text) {
        if (!draft_.text.empty()) draft_.text += ' ';
        draft_.text.append(v->s);
    }
    if (v) pending_skip_ = false;
}

bool BatchHandler::start_event() {
    if (out_.events.size() >= limits_.max_events)
        return fail(413, "events: more than " + std::to_string(limits_.max_events) +
                             " events exceed the batch limit");
    in_event_ = true;
    draft_ = EventDraft{};
    event_key_ = EventKey::other;
    pending_skip_ = false;
    skip_depth_ = -1;
    stream_.begin_capture(limits_.max_event_bytes);
    return true;
}

bool BatchHandler::end_event() {
    in_event_ = false;
    std::string_view source = stream_.end_capture();
    if (stream_.error()) return false;
    try {
        if (source.empty()) throw ApiError(500, where() + ": event text not captured");
        EventInput ev = finish_event(draft_, source, out_.events.size());
        if (memory_ && !memory_->grow(ev.raw.size() + ev.text.size() + kEventOverhead))
            return fail(503, "server busy: the memory for request bodies is in use, retry later");
        out_.events.push_back(std::move(ev));
    } catch (const ApiError& e) {
        return fail(e.status(), e.what());
    }
    return true;
}

void BatchHandler::check_complete() const {
    if (!agent_seen_) throw ApiError(400, "agent_id: missing or invalid");
    if (!seq_seen_) throw ApiError(400, "batch_seq: missing or not a non-negative integer");
    if (!events_seen_) throw ApiError(400, "events: missing or not an array");
}

}  // namespace

ParsedBatch parse_batch_source(ChunkSource& source, std::string_view header_agent_id,
                               const BatchLimits& limits, MemoryReservation* memory) {
    if (memory && !memory->grow(kParserBase))
        throw ApiError(503, "server busy: the memory for request bodies is in use, retry later");
    ParsedBatch batch;
    ChunkStream stream(source, limits.max_event_bytes);
    BatchHandler handler(stream, header_agent_id, limits, memory, batch);
    rapidjson::Reader reader;
    // Iterative: no recursion on hostile nesting. The default flags reject trailing garbage.
    rapidjson::ParseResult result = reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler);
    if (stream.error()) throw *stream.error();
    if (handler.error()) throw *handler.error();
    if (result.IsError())
        throw ApiError(400, std::string("malformed JSON at offset ") + std::to_string(result.Offset()) +
                                ": " + rapidjson::GetParseError_En(result.Code()));
    handler.check_complete();
    return batch;
}

}  // namespace vigil::central
