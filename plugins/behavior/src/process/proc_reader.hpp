// Reads a process's context from /proc/<pid> (used by the netlink sensor for
// everything, and by the eBPF sensor for what the kernel program cannot see).
#pragma once

#include "process_record.hpp"

#include <optional>
#include <string>
#include <vigil/common/proc.hpp>

namespace vigil::behavior {

class ProcReader {
public:
    explicit ProcReader(std::string proc_root = "/proc") : root_(std::move(proc_root)) {}

    // Fills everything /proc tells about pid; nullopt when the process is gone.
    // The SHA-256, user name and parent fields are left to the caller. Without
    // `with_cmdline`, argv is not read: reading /proc/<pid>/cmdline reads the target's
    // memory, which its owner can make block (argv in a FUSE-backed mapping), so the
    // sensor threads leave it to a worker.
    std::optional<ProcessRecord> read(int32_t pid, bool with_cmdline = true) const;

    // Individual readers, usable for completing a kernel-provided snapshot.
    std::string exe(int32_t pid) const;
    std::string cwd(int32_t pid) const;
    bool read_cmdline(int32_t pid, vigil::ProcessInfo& info) const;
    std::optional<std::vector<std::string>> read_argv(int32_t pid) const;
    // The executable's cache key, from attributes the kernel already has (never asks a
    // FUSE or network filesystem: AT_STATX_DONT_SYNC).
    ExeKey exe_key(int32_t pid) const;
    // Start time in clock ticks as /proc/<pid>/stat tells it (0 when gone): equal to
    // start_boottime_ns / tick for the same process, so it tells a reused pid apart.
    uint64_t start_ticks(int32_t pid) const;
    static uint64_t tick_ns();
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
using vigil::common::join_argv;

}  // namespace vigil::behavior
