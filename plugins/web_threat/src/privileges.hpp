// The worker parses hostile bytes from every local process, so it runs
// without privileges: after creating its nftables table and binding its
// sockets as root, it switches to a dedicated uid/gid with no supplementary
// groups and no capabilities, and can never regain them (no_new_privs).
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>

namespace vigil::web_threat {

class PrivilegeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Switches every uid and gid of the process to uid/gid, drops supplementary
// groups, sets no_new_privs, and checks that no capability is left.
// Throws PrivilegeError naming the step that failed.
void drop_privileges(uid_t uid, gid_t gid);

// The capability sets (effective, permitted) are empty.
bool has_no_capabilities();

}  // namespace vigil::web_threat
