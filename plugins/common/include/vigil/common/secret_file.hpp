#pragma once
// Reading a secret (bearer token, enrollment token, password) from a file that only its
// owner may read. A secret in a file others can read is no secret, so such a file is refused
// with the reason instead of being used.

#include <string>

namespace vigil::common {

// The first line of `path` (trailing whitespace removed). Throws std::runtime_error naming
// the path when it cannot be opened (symlinks as the last component are refused), is not a
// regular file, is readable or writable by group or others, belongs to a user other than
// the caller or root, is larger than 4 KiB, or holds an empty first line.
std::string read_secret_file(const std::string& path);
// The whole content (e.g. a PEM private key), with the same checks.
std::string read_secret_text(const std::string& path);

}  // namespace vigil::common
