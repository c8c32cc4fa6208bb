// The plugin's status JSON: actions running now, completed and failed since
// start, and where get_file stages its copies.
#pragma once

#include <cstdint>
#include <string>

namespace vigil::response {

struct StatusCounts {
    uint32_t running_actions = 0;
    uint64_t completed = 0, failed = 0;
    std::string staging_dir;
};

std::string status_json(const StatusCounts& s);

}  // namespace vigil::response
