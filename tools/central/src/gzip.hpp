#pragma once
// Bounded gzip decoding: a small compressed body may not expand past `max_output` bytes
// (a gzip bomb gets 413, not an out-of-memory kill).
#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::central {

// Throws ApiError 400 on corrupt data, 413 when the output would exceed max_output.
std::string gunzip(std::string_view compressed, size_t max_output);
// For tests and the CLI-side tools.
std::string gzip(std::string_view plain, int level = 6);

}  // namespace vigil::central
