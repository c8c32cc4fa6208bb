#pragma once
// Bounded gzip decoding: a small compressed body may not expand past `max_output` bytes
// (a gzip bomb gets 413, not an out-of-memory kill). GunzipSource decodes chunk by chunk so
// a consumer (the telemetry parser) never holds the whole decompressed text.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "json_input.hpp"

namespace vigil::central {

class GunzipSource final : public ChunkSource {
public:
    static constexpr size_t kChunkBytes = 64 * 1024;
    // `compressed` must outlive the source. Concatenated gzip members are one stream.
    GunzipSource(std::string_view compressed, uint64_t max_output);
    ~GunzipSource() override;
    GunzipSource(const GunzipSource&) = delete;
    GunzipSource& operator=(const GunzipSource&) = delete;

    // Throws ApiError 400 on corrupt or truncated data, 413 past max_output.
    bool next(std::string_view& chunk) override;
    uint64_t produced() const { return produced_; }

private:
    struct Inflater;
    std::unique_ptr<Inflater> z_;
    uint64_t max_output_;
    uint64_t produced_ = 0;
    bool done_ = false;
};

// Throws ApiError 400 on corrupt data, 413 when the output would exceed max_output.
std::string gunzip(std::string_view compressed, size_t max_output);
// For tests and the CLI-side tools.
std::string gzip(std::string_view plain, int level = 6);

}  // namespace vigil::central
