// Reads a process's context from /proc/<pid> (used by the netlink sensor for
// everything, and by the eBPF sensor for what the kernel program cannot see).
#pragma once

#include "process_record.hpp"

#include <optional>
#include <string>

namespace behavior {

class ProcReader {
public:
    explicit ProcReader(std::string proc_root = "/proc") : root_(std::move(proc_root)) {}

    // Fills everything /proc tells about pid; nullopt when the process is gone.
    // The SHA-256, user name and parent fields are left to the caller.
    std::optional<ProcessRecord> read(int32_t pid) const;

    // Individual readers, usable for completing a kernel-provided snapshot.
    std::string exe(int32_t pid) const;
    std::string cwd(int32_t pid) const;
    bool read_cmdline(int32_t pid, vigil::ProcessInfo& info) const;
    ExeKey exe_key(int32_t pid) const;
    std::string container_id(int32_t pid) const;

    // Converts a CLOCK_BOOTTIME instant to CLOCK_REALTIME nanoseconds.
    static uint64_t boottime_to_realtime(uint64_t boottime_ns);
    static uint64_t now_boottime_ns();
    static uint64_t now_realtime_ns();

    // "<root>/<pid>/<leaf>"
    std::string path_of(int32_t pid, const char* leaf) const { return path(pid, leaf); }

private:
    std::string path(int32_t pid, const char* leaf) const;
    std::string root_;
};

// Extracts a container id (64 hex digits, as docker/containerd/podman name
// their cgroups) from a cgroup path; empty when there is none.
std::string container_id_from_cgroup(const std::string& cgroup_text);

// Joins argv with spaces for display and matching.
std::string join_argv(const std::vector<std::string>& argv);

}  // namespace behavior
