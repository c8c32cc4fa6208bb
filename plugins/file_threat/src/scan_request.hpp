// The arguments of the file_threat.scan command (untrusted: they come from
// the bus, vigilctl or a central-node task).
#pragma once

#include <string>
#include <vector>

#include "action.hpp"

namespace vigil::file_threat {

// An on-demand scan request (command file_threat.scan).
struct ScanJobRequest {
    std::vector<std::string> paths;
    bool recursive = true;
    ActionPair actions;
    bool async = false;  // reply at once with the job id; the summary comes as progress event
};

// Parses the command arguments: {"args":[paths...]} (vigilctl) or
// {"paths":[...]} / "path":"..", plus "recursive", "actions" (a string, a
// [first, second] array or {"first","second"}) and "async". Throws
// std::invalid_argument naming the bad argument.
ScanJobRequest parse_scan_request(const std::string& args_json, const ActionPair& default_actions);

}  // namespace vigil::file_threat
