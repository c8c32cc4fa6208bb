#include "gzip.hpp"

#include <zlib.h>

#include <stdexcept>

namespace vigil::kataedr {

std::string gzip_compress_parts(std::initializer_list<std::string_view> parts, int level) {
    z_stream zs{};
    // windowBits 15 + 16 selects the gzip wrapper.
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("gzip: deflateInit2 failed");
    size_t total = 0;
    for (auto p : parts) total += p.size();
    std::string out;
    out.reserve(total / 6 + 64);
    // Output goes through a small buffer: the compressed batch is a fraction
    // of the input, so sizing (and zero-filling) for the worst case is waste.
    unsigned char buf[65536];
    size_t i = 0, n = parts.size();
    for (auto p : parts) {
        ++i;
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p.data()));
        zs.avail_in = uInt(p.size());
        int flush = i == n ? Z_FINISH : Z_NO_FLUSH;
        int rc;
        do {
            zs.next_out = buf;
            zs.avail_out = sizeof buf;
            rc = deflate(&zs, flush);
            if (rc == Z_STREAM_ERROR) {
                deflateEnd(&zs);
                throw std::runtime_error("gzip: deflate failed");
            }
            out.append(reinterpret_cast<char*>(buf), sizeof buf - zs.avail_out);
        } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    }
    deflateEnd(&zs);
    return out;
}

std::string gzip_compress(std::string_view data, int level) { return gzip_compress_parts({data}, level); }

struct GzipStream::State {
    z_stream zs{};
};

GzipStream::GzipStream(int level) : s_(new State) {
    if (deflateInit2(&s_->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        delete s_;
        throw std::runtime_error("gzip: deflateInit2 failed");
    }
}

GzipStream::~GzipStream() {
    deflateEnd(&s_->zs);
    delete s_;
}

void GzipStream::deflate_some(std::string_view text, int flush) {
    if (finished_) throw std::logic_error("gzip: stream already finished");
    z_stream& zs = s_->zs;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    zs.avail_in = uInt(text.size());
    unsigned char buf[16384];
    int rc;
    do {
        zs.next_out = buf;
        zs.avail_out = sizeof buf;
        rc = deflate(&zs, flush);
        if (rc == Z_STREAM_ERROR) throw std::runtime_error("gzip: deflate failed");
        out_.append(reinterpret_cast<char*>(buf), sizeof buf - zs.avail_out);
    } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

void GzipStream::append(std::string_view text) { deflate_some(text, Z_NO_FLUSH); }

std::string GzipStream::finish(std::string_view tail) {
    deflate_some(tail, Z_FINISH);
    finished_ = true;
    return std::move(out_);
}

std::string gzip_decompress(std::string_view data, size_t max_size) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("gzip: inflateInit2 failed");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = uInt(data.size());
    std::string out;
    char buf[65536];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            throw std::runtime_error("gzip: corrupt data");
        }
        out.append(buf, sizeof buf - zs.avail_out);
        if (out.size() > max_size) {
            inflateEnd(&zs);
            throw std::runtime_error("gzip: data too large");
        }
        if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
            inflateEnd(&zs);
            throw std::runtime_error("gzip: truncated data");
        }
    }
    inflateEnd(&zs);
    return out;
}

}  // namespace vigil::kataedr
