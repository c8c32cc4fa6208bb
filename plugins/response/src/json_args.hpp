// Strict reader for command arguments: the shared one of
// vigil/common/args.hpp (same messages), under the names this plugin uses.
#pragma once

#include <vigil/common/args.hpp>

namespace vigil::response {

using common::ArgError;
using common::describe_json;
using common::expect_absolute_path;
using common::expect_sha256;
using common::expect_string;
using common::kMaxArgString;
using ArgReader = common::Args;

}  // namespace vigil::response
