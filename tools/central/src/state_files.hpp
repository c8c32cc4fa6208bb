#pragma once
// The central node's files are private: telemetry, task arguments and results, uploaded
// evidence and the agent CA key. Server-independent: every server implementation calls it
// once at start, before opening anything.
#include <string>
#include <vector>

#include "config.hpp"

namespace vigil::central {

// Sets umask 077 for the process, creates the state directories 0700 (the database's
// directory, files_dir, the agent CA directory), and narrows an existing database (with its
// -wal/-shm files) to 0600 and those directories to 0700. Returns one line per file or
// directory whose permissions it narrowed (for the log).
std::vector<std::string> prepare_state(const CentralConfig& config);

}  // namespace vigil::central
