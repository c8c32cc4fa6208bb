#pragma once

#include <sys/types.h>

#include <vigil/sdk.hpp>

namespace vigil::file_threat {

// Best-effort process context from /proc for threat reports (the process that
// opened or executed a file). Missing fields stay empty; the KNOWN flag is set
// when /proc/<pid> could be read.
vigil::ProcessInfo read_process_info(pid_t pid);

}  // namespace vigil::file_threat
