// Protected-path patterns for delete_file: the shared matcher of
// vigil/common/protected_paths.hpp (also used by the host's quarantine restore).
#pragma once

#include <vigil/common/protected_paths.hpp>

namespace vigil::response {

using common::collapse_slashes;
using common::PathRules;

}  // namespace vigil::response
