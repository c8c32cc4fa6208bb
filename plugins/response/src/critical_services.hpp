// Processes a terminate_process task leaves alone unless it says `force`:
// terminating one by mistake cuts the operator off (sshd), loses the logs
// (systemd-journald, rsyslogd), or wedges the host (dbus, udev, logind,
// systemd). A process counts only when its executable is installed in a
// system directory, so a user's program named "sshd" in /tmp is not shielded.
// pid 1, the agent, kernel threads and zombies are never signalled at all.
#pragma once

#include <string>
#include <vector>

#include "proc_table.hpp"

namespace vigil::response {

struct CriticalServices {
    std::vector<std::string> names;        // executable base names
    std::vector<std::string> system_dirs;  // directory prefixes ("/usr/sbin/")
    // The service name when `p` is one of them, else empty.
    std::string match(const ProcessFacts& p) const;
    static const CriticalServices& defaults();
};

}  // namespace vigil::response
