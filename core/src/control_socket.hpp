#pragma once
// Creating the listening control socket safely: its directory must be one
// only root controls (created 0755 when missing), the old socket is removed
// without following a link, and the mode is set on the socket itself
// (AT_SYMLINK_NOFOLLOW). The process umask is never changed here: vigild
// tightens it once at start, before any thread exists (tighten_umask).
#include <string>

namespace vigil::core {

// umask |= 022 (group and others never get write access to what vigild
// creates). Call once at start, while the process has one thread.
void tighten_umask();

// Returns a listening socket fd, or -1 with `error` set.
int listen_control_socket(const std::string& path, unsigned mode, std::string& error);

}  // namespace vigil::core
