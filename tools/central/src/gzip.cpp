#include "gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "api_error.hpp"

namespace vigil::central {

std::string gunzip(std::string_view in, size_t max_output) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("inflateInit2 failed");
    struct End {
        z_stream& z;
        ~End() { inflateEnd(&z); }
    } end{zs};
    if (in.size() > UINT32_MAX) throw ApiError(413, "compressed body too large");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    out.resize(std::min<size_t>(std::max<size_t>(in.size() * 4, 4096), max_output + 1));
    size_t produced = 0;
    for (;;) {
        if (produced == out.size()) {
            if (out.size() > max_output) {
                throw ApiError(
                    413, "decompressed body exceeds the limit of " + std::to_string(max_output) + " bytes");
            }
            out.resize(std::min(out.size() * 2, max_output + 1));
        }
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        zs.avail_out = static_cast<uInt>(out.size() - produced);
        int rc = inflate(&zs, Z_NO_FLUSH);
        produced = out.size() - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0) break;
            // Concatenated gzip members are valid gzip; continue with the next member.
            if (inflateReset(&zs) != Z_OK) throw ApiError(400, "corrupt gzip data");
            continue;
        }
        // No progress with output space left means the input ended before the stream did.
        if (rc == Z_BUF_ERROR && zs.avail_out != 0) throw ApiError(400, "truncated gzip data");
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            throw ApiError(400, std::string("corrupt gzip data: ") + (zs.msg ? zs.msg : "inflate error"));
        }
    }
    if (produced > max_output) {
        throw ApiError(413,
                       "decompressed body exceeds the limit of " + std::to_string(max_output) + " bytes");
    }
    out.resize(produced);
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
