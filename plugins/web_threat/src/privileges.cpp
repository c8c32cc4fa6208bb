#include "privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::web_threat {

namespace {

[[noreturn]] void fail(const char* step) {
    throw PrivilegeError(std::string("dropping privileges: ") + step + ": " + std::strerror(errno));
}

}  // namespace

bool has_no_capabilities() {
    __user_cap_header_struct hdr{};
    hdr.version = _LINUX_CAPABILITY_VERSION_3;
    __user_cap_data_struct data[2]{};
    if (syscall(SYS_capget, &hdr, data) != 0) return false;
    for (const auto& d : data)
        if (d.effective || d.permitted) return false;
    return true;
}

void drop_privileges(uid_t uid, gid_t gid) {
    if (uid == 0) {
        errno = EINVAL;
        fail("the worker uid must not be 0");
    }
    if (setgroups(0, nullptr) != 0) fail("setgroups");
    if (setresgid(gid, gid, gid) != 0) fail("setresgid");
    // Changing every uid away from 0 clears the permitted and effective
    // capabilities (no SECBIT_KEEP_CAPS); ambient ones go too.
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) fail("clear ambient caps");
    if (setresuid(uid, uid, uid) != 0) fail("setresuid");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) != 0 || r != uid || e != uid || s != uid) fail("uids not all switched");
    if (!has_no_capabilities()) {
        errno = EPERM;
        fail("capabilities left after the uid switch");
    }
}

}  // namespace vigil::web_threat
