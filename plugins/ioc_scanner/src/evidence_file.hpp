// The file an IOC matched, as a reference for a file action (quarantine).
#pragma once

#include <vigil/common/safe_fs.hpp>

#include "scan_engine.hpp"

namespace vigil::ioc_scanner {

// Resolved without following links (inside /proc/PID/root for another mount
// namespace) and checked against the stamp it matched with, so a path
// swapped since the match is never acted on. Throws SafeFsError.
vigil::common::FileRef evidence_file(const Evidence& e);

}  // namespace vigil::ioc_scanner
