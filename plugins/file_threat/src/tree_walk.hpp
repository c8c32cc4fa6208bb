#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "exclusions.hpp"

namespace vigil::file_threat {

// Visits the regular files under the given paths (a path may be a file).
// Symbolic links are not followed; unreadable directories are reported via
// on_error and skipped; excluded paths are skipped and counted. Stops early
// when `cancel` becomes true.
struct WalkCounters {
    uint64_t files = 0, excluded = 0, errors = 0;
};
void walk_files(const std::vector<std::string>& roots, bool recursive, const Exclusions& exclusions,
                const std::atomic<bool>& cancel, const std::function<void(const std::string&)>& on_file,
                const std::function<void(const std::string&, const std::string&)>& on_error, WalkCounters& counters);

}  // namespace vigil::file_threat
