// gzip (RFC 1952) compression of telemetry batches with zlib.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace kataedr {

// Level 1..9; 1 is fast and still shrinks OCSF JSON about 8x.
std::string gzip_compress(std::string_view data, int level = 1);
// Compresses the concatenation of `parts` without building it first.
std::string gzip_compress_parts(std::initializer_list<std::string_view> parts, int level = 1);
// Throws std::runtime_error on corrupt input or when the output would exceed max_size.
std::string gzip_decompress(std::string_view data, size_t max_size = size_t(1) << 30);

}  // namespace kataedr
