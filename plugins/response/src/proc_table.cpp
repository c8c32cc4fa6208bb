#include "proc_table.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace vigil::response {

bool ProcessFacts::kernel_thread() const { return stat.kernel_thread(); }

std::optional<ProcessFacts> read_process(pid_t pid) {
    const common::ProcFs proc;
    auto st = proc.stat(pid);
    if (!st || st->pid != pid) return std::nullopt;
    ProcessFacts p;
    p.stat = *st;
    p.start_time_ns = common::ticks_to_epoch_ns(st->start_ticks);
    const std::string dir = proc.path(pid);
    struct stat ds {};
    if (::stat(dir.c_str(), &ds) == 0) p.uid = ds.st_uid;
    if (auto exe = proc.exe(pid)) {
        p.exe = exe->path;
        p.exe_deleted = exe->deleted;
        p.exe_known = true;
        struct stat es {};
        if (::stat((dir + "/exe").c_str(), &es) == 0) {
            p.exe_dev = es.st_dev;
            p.exe_ino = es.st_ino;
        }
    }
    return p;
}

std::vector<pid_t> list_pids() { return common::ProcFs().pids(); }

}  // namespace vigil::response
