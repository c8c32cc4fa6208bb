#pragma once
// errno as text, and the exception every system-call wrapper here throws.

#include <cerrno>
#include <string>
#include <system_error>

namespace vigil::common {

// strerror(err) without strerror's shared buffer (safe from any thread).
std::string errno_text(int err);

// "<what>: <errno text>", e.g. "cannot open /x: Permission denied". The code
// stays available through code() for callers that branch on it.
inline std::system_error sys_error(const std::string& what, int err = errno) {
    return std::system_error(err, std::generic_category(), what);
}

}  // namespace vigil::common
