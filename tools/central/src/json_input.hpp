#pragma once
// A RapidJSON input stream over data that arrives in chunks (a streaming gunzip, or one
// buffer), so a telemetry batch is parsed without ever holding its decompressed text.
// It can copy out the source text of one value (an event, to store it as received), and it
// refuses to deliver more than `max_gap` bytes without the parser reporting progress, which
// bounds what one string or run of whitespace can make RapidJSON buffer.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api_error.hpp"

namespace vigil::central {

// Produces the input chunk by chunk. next() returns false at the end; it throws ApiError
// for bad input (corrupt gzip, size limits). A chunk stays valid until the next call.
class ChunkSource {
public:
    virtual ~ChunkSource() = default;
    virtual bool next(std::string_view& chunk) = 0;
};

// One buffer as a single chunk.
class MemorySource final : public ChunkSource {
public:
    explicit MemorySource(std::string_view data) : data_(data) {}
    bool next(std::string_view& chunk) override;

private:
    std::string_view data_;
    bool done_ = false;
};

class ChunkStream {
public:
    using Ch = char;
    ChunkStream(ChunkSource& source, size_t max_gap) : source_(source), max_gap_(max_gap) {}

    // RapidJSON stream concept ('\0' at the end, as MemoryStream does).
    Ch Peek() { return cur_ != end_ ? *cur_ : refill(); }
    Ch Take() {
        Ch c = Peek();
        if (cur_ != end_) ++cur_;
        return c;
    }
    size_t Tell() const { return base_ + static_cast<size_t>(cur_ - begin_); }
    Ch* PutBegin() { return nullptr; }
    void Put(Ch) {}
    void Flush() {}
    size_t PutEnd(Ch*) { return 0; }

    // The parser made progress (a token ended here): restarts the gap count. False (and the
    // error set) when the stretch since the last mark was longer than allowed; the refill
    // catches that earlier when the stretch spans chunks, this catches it within one.
    bool mark() {
        const size_t now = Tell();
        const bool ok = now - mark_ <= max_gap_;
        mark_ = now;
        if (!ok) gap_error();
        return ok;
    }
    // Starts copying at the current (not yet taken) character; at most `max_bytes`.
    void begin_capture(size_t max_bytes);
    // Ends the copy after the current character; valid until the next begin_capture or
    // refill. Empty when the capture was too large (the error is set then).
    std::string_view end_capture();
    bool capturing() const { return capturing_; }

    // The first error of the source or of the limits, if any; the stream then reads as ended.
    const std::optional<ApiError>& error() const { return error_; }

private:
    Ch refill();
    void fail(const ApiError& e);
    void gap_error();

    ChunkSource& source_;
    size_t max_gap_;
    const char* begin_ = nullptr;
    const char* cur_ = nullptr;
    const char* end_ = nullptr;
    size_t base_ = 0;  // offset of begin_ in the whole input
    size_t mark_ = 0;
    bool eof_ = false;
    bool capturing_ = false;
    size_t max_capture_ = 0;
    const char* cap_from_ = nullptr;
    std::string spill_;  // captured text of chunks already left behind
    std::optional<ApiError> error_;
};

}  // namespace vigil::central
