// gzip (RFC 1952) compression of telemetry batches with zlib.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace vigil::kataedr {

// Level 1..9; 1 is fast and still shrinks OCSF JSON about 8x.
std::string gzip_compress(std::string_view data, int level = 1);
// Compresses the concatenation of `parts` without building it first.
std::string gzip_compress_parts(std::initializer_list<std::string_view> parts, int level = 1);
// Incremental gzip: text is compressed as it is appended, so a batch is
// already compressed when it closes (the work happens on the threads that
// append, overlapping the upload of the previous batch).
class GzipStream {
public:
    explicit GzipStream(int level = 1);
    ~GzipStream();
    GzipStream(const GzipStream&) = delete;
    GzipStream& operator=(const GzipStream&) = delete;
    void append(std::string_view text);
    // Compressed bytes produced so far (zlib may still hold some input).
    size_t compressed_size() const { return out_.size(); }
    // Appends `tail`, ends the stream and returns the whole gzip body.
    std::string finish(std::string_view tail);

private:
    void deflate_some(std::string_view text, int flush);
    struct State;
    State* s_;
    std::string out_;
    bool finished_ = false;
};

// Throws std::runtime_error on corrupt input or when the output would exceed max_size.
std::string gzip_decompress(std::string_view data, size_t max_size = size_t(1) << 30);

}  // namespace vigil::kataedr
