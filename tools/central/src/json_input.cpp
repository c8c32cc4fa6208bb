#include "json_input.hpp"

namespace vigil::central {

bool MemorySource::next(std::string_view& chunk) {
    if (done_) return false;
    done_ = true;
    chunk = data_;
    return true;
}

void ChunkStream::fail(const ApiError& e) {
    if (!error_) error_.emplace(e);
    eof_ = true;
    capturing_ = false;
    base_ += static_cast<size_t>(cur_ - begin_);
    begin_ = cur_ = end_ = nullptr;
}

void ChunkStream::gap_error() {
    fail(ApiError(413,
                  "a single JSON value or run of whitespace exceeds " + std::to_string(max_gap_) + " bytes"));
}

ChunkStream::Ch ChunkStream::refill() {
    while (!eof_) {
        if (capturing_) {
            spill_.append(cap_from_, static_cast<size_t>(end_ - cap_from_));
            if (spill_.size() > max_capture_) {
                fail(ApiError(413, "an event is larger than " + std::to_string(max_capture_) + " bytes"));
                break;
            }
        }
        base_ += static_cast<size_t>(end_ - begin_);
        begin_ = cur_ = end_;
        if (base_ - mark_ > max_gap_) {
            fail(ApiError(413, "a single JSON value or run of whitespace exceeds " +
                                   std::to_string(max_gap_) + " bytes"));
            break;
        }
        std::string_view chunk;
        try {
            if (!source_.next(chunk)) {
                eof_ = true;
                break;
            }
        } catch (const ApiError& e) {
            fail(e);
            break;
        }
        begin_ = cur_ = cap_from_ = chunk.data();
        end_ = chunk.data() + chunk.size();
        if (cur_ != end_) return *cur_;
    }
    return '\0';
}

void ChunkStream::begin_capture(size_t max_bytes) {
    capturing_ = true;
    max_capture_ = max_bytes;
    spill_.clear();
    cap_from_ = cur_;
}

std::string_view ChunkStream::end_capture() {
    if (!capturing_ || cur_ == end_) {
        capturing_ = false;
        return {};
    }
    capturing_ = false;
    const auto tail = static_cast<size_t>(cur_ + 1 - cap_from_);
    if (spill_.size() + tail > max_capture_) {
        fail(ApiError(413, "an event is larger than " + std::to_string(max_capture_) + " bytes"));
        return {};
    }
    if (spill_.empty()) return {cap_from_, tail};  // within one chunk: no copy
    spill_.append(cap_from_, tail);
    return spill_;
}

}  // namespace vigil::central
