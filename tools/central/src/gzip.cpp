#include "gzip.hpp"

#include <zlib.h>

#include <climits>
#include <stdexcept>

#include "api_error.hpp"

namespace vigil::central {

struct GunzipSource::Inflater {
    z_stream zs{};
    char out[kChunkBytes];
    Inflater() {
        if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("inflateInit2 failed");
    }
    ~Inflater() { inflateEnd(&zs); }
};

GunzipSource::GunzipSource(std::string_view in, uint64_t max_output)
    : z_(std::make_unique<Inflater>()), max_output_(max_output) {
    if (in.size() > UINT_MAX) throw ApiError(413, "compressed body too large");
    z_->zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_->zs.avail_in = static_cast<uInt>(in.size());
}

GunzipSource::~GunzipSource() = default;

bool GunzipSource::next(std::string_view& chunk) {
    if (done_) return false;
    z_stream& zs = z_->zs;
    zs.next_out = reinterpret_cast<Bytef*>(z_->out);
    zs.avail_out = kChunkBytes;
    while (zs.avail_out != 0) {
        int rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0) {
                done_ = true;
                break;
            }
            // Concatenated gzip members are valid gzip; continue with the next member.
            if (inflateReset(&zs) != Z_OK) throw ApiError(400, "corrupt gzip data");
            continue;
        }
        // No progress with output space left means the input ended before the stream did.
        if (rc == Z_BUF_ERROR) throw ApiError(400, "truncated gzip data");
        if (rc != Z_OK)
            throw ApiError(400, std::string("corrupt gzip data: ") + (zs.msg ? zs.msg : "inflate error"));
    }
    const size_t n = kChunkBytes - zs.avail_out;
    produced_ += n;
    if (produced_ > max_output_)
        throw ApiError(413,
                       "decompressed body exceeds the limit of " + std::to_string(max_output_) + " bytes");
    if (n == 0) return false;
    chunk = std::string_view(z_->out, n);
    return true;
}

std::string gunzip(std::string_view in, size_t max_output) {
    GunzipSource source(in, max_output);
    std::string out;
    std::string_view chunk;
    while (source.next(chunk)) out.append(chunk);
    return out;
}

std::string gzip(std::string_view plain, int level) {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::string out;
    out.resize(deflateBound(&zs, plain.size()) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    zs.avail_in = static_cast<uInt>(plain.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    out.resize(zs.total_out);
    return out;
}

}  // namespace vigil::central
