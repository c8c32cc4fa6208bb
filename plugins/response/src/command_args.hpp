// Argument parsing for the four response commands. Each accepts a JSON object
// with named fields and also the vigilctl generic form, where positional
// words arrive as "args": [...] (see README.md for both). Every problem is an
// ArgError naming the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "process_runner.hpp"
#include "settings.hpp"
#include "terminate_process.hpp"

namespace vigil::response {

struct GetFileArgs {
    std::string path;
};

struct DeleteFileArgs {
    std::string path;
    std::optional<std::string> sha256;
    std::string reason;
};

// Bounds on run_process arguments ("huge values" are refused, not truncated).
inline constexpr size_t kMaxRunArgs = 4096;
inline constexpr size_t kMaxRunEnv = 256;
inline constexpr size_t kMaxRunTotalBytes = 1024 * 1024;

GetFileArgs parse_get_file_args(std::string_view json);
DeleteFileArgs parse_delete_file_args(std::string_view json);
RunSpec parse_run_process_args(std::string_view json, const ResponseConfig& cfg);
TerminateSpec parse_terminate_args(std::string_view json, const ResponseConfig& cfg);

}  // namespace vigil::response
