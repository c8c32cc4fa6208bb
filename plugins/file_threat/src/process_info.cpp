#include "process_info.hpp"

#include <vigil/common/proc.hpp>
#include <vigil/common/user_names.hpp>

namespace vigil::file_threat {

vigil::ProcessInfo read_process_info(pid_t pid) {
    vigil::ProcessInfo p;
    p.pid = pid;
    if (pid <= 0) return p;
    const vigil::common::ProcFs proc;
    auto status = proc.status(pid);
    if (!status) return p;
    p.flags |= VIGIL_PROC_FLAG_KNOWN;
    p.ppid = status->ppid;
    p.uid = status->uid;
    p.euid = status->euid;
    p.gid = status->gid;
    p.egid = status->egid;
    if (auto exe = proc.exe(pid)) p.exe = exe->deleted ? exe->path + " (deleted)" : exe->path;
    p.cwd = proc.cwd(pid);
    p.comm = proc.read(pid, "comm", 256);
    if (!p.comm.empty() && p.comm.back() == '\n') p.comm.pop_back();
    p.argv = proc.cmdline(pid);
    p.cmdline = vigil::common::join_argv(p.argv);
    if (auto user = vigil::common::user_name(p.uid)) p.user = *user;
    return p;
}

}  // namespace vigil::file_threat
