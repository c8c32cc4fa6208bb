#pragma once
// Small file-system helpers shared by the daemon and plugin instances.
#include <sys/types.h>

#include <string>

namespace vigil::core {

// Creates `path` and any missing parents with `mode` (existing ones are left as they are).
// Returns false, with errno set, when a component cannot be created.
bool make_dirs(const std::string& path, mode_t mode);

}  // namespace vigil::core
