#pragma once
// Reading processes from /proc: stat fields, start time, exe, cmdline,
// status ids, namespaces, and the list of pids. One reader for every plugin.
//
// Start times: /proc/PID/stat field 22 counts clock ticks since boot
// (CLOCK_BOOTTIME). start_time_ns() turns it into CLOCK_REALTIME nanoseconds
// with the current boot-time offset; the resolution is one tick (10 ms at
// USER_HZ 100), so comparisons of two readings need a tolerance.
//
// Every reader takes the process root ("/proc" unless a test fakes one) and
// returns nullopt / empty when the process is gone or the file unreadable:
// processes vanish between any two reads.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::common {

// The fields of /proc/PID/stat that the plugins use (see proc(5)).
struct ProcStat {
    pid_t pid = 0;
    std::string comm;  // may contain spaces and ')'
    char state = '?';
    pid_t ppid = 0;
    pid_t pgrp = 0;
    pid_t session = 0;
    uint64_t tty_nr = 0;
    uint32_t flags = 0;        // PF_* task flags
    uint64_t start_ticks = 0;  // field 22
    bool kernel_thread() const;  // PF_KTHREAD, or a child of kthreadd
};

// Parses the text of /proc/PID/stat; nullopt when malformed.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// From /proc/PID/status.
struct ProcStatus {
    std::string name;
    pid_t ppid = 0;
    uint32_t uid = 0, euid = 0, suid = 0, fsuid = 0;
    uint32_t gid = 0, egid = 0, sgid = 0, fsgid = 0;
};
std::optional<ProcStatus> parse_proc_status(std::string_view text);

// A symlink target in /proc/PID/exe form.
struct ProcExe {
    std::string path;  // without the kernel's " (deleted)" suffix
    bool deleted = false;
};

class ProcFs {
public:
    explicit ProcFs(std::string root = "/proc") : root_(std::move(root)) {}

    // "<root>/<pid>/<leaf>" ("<root>/<pid>" for an empty leaf).
    std::string path(pid_t pid, std::string_view leaf = {}) const;

    std::optional<ProcStat> stat(pid_t pid) const;
    std::optional<ProcStatus> status(pid_t pid) const;
    // nullopt for kernel threads and unreadable links.
    std::optional<ProcExe> exe(pid_t pid) const;
    std::string cwd(pid_t pid) const;
    // argv from /proc/PID/cmdline (at most max_bytes read); empty for kernel threads.
    std::vector<std::string> cmdline(pid_t pid, size_t max_bytes = 32768) const;
    // The inode of ns/<kind> ("mnt", "pid", "net", "user"); 0 when unknown.
    uint64_t namespace_inode(pid_t pid, std::string_view kind) const;
    // Any small file under the pid ("cgroup", "comm", "environ"), cut at max_bytes.
    std::string read(pid_t pid, std::string_view leaf, size_t max_bytes = 65536) const;
    // Numeric entries of the root, ascending.
    std::vector<pid_t> pids() const;
    // Start time of pid in CLOCK_REALTIME ns, or 0 when gone.
    uint64_t start_time_ns(pid_t pid) const;

    const std::string& root() const { return root_; }

private:
    std::string root_;
};

// readlink(2) as a string; "" on error.
std::string read_link(const std::string& path);
// Joins argv with single spaces (display and matching form).
// (inline: the behavior plugin's fuzz targets use it without linking this library)
inline std::string join_argv(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out.push_back(' ');
        out += a;
    }
    return out;
}
// Splits NUL-separated text (cmdline, environ) into its strings.
std::vector<std::string> split_nul(std::string_view text);

uint64_t clock_ticks_per_second();
// CLOCK_REALTIME - CLOCK_BOOTTIME now, in ns.
uint64_t boot_time_ns();
uint64_t ticks_to_boottime_ns(uint64_t ticks);
uint64_t ticks_to_epoch_ns(uint64_t ticks);
// /proc/sys/kernel/pid_max (4194304 when unreadable).
pid_t pid_max();

}  // namespace vigil::common
