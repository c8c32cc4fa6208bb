// The sensor interface: a sensor turns kernel notifications into the raw
// events below and hands them to a SensorSink (the telemetry pipeline).
#pragma once

#include "process/process_record.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace vigil::behavior {

struct ExecEvent {
    int32_t pid = 0;
    int32_t ppid = 0;                       // 0 when the sensor does not know
    std::optional<ProcessRecord> snapshot;  // what the kernel told (eBPF); /proc fills the rest
};

struct ForkEvent {
    int32_t pid = 0;
    int32_t ppid = 0;
    uint64_t start_boottime_ns = 0;  // 0 when unknown
};

struct ExitEvent {
    int32_t pid = 0;
    int32_t wait_status = 0;  // as waitpid() reports it: (code << 8) | signal
    uint64_t exit_boottime_ns = 0;
    // What the kernel told about a process the table does not know (eBPF).
    int32_t ppid = 0;
    uint32_t uid = UINT32_MAX;
    uint64_t start_boottime_ns = 0;
    std::string comm;
};

struct NetEvent {
    int32_t pid = 0;  // 0 when unknown
    uint32_t uid = UINT32_MAX;
    uint32_t action = 0;  // vigil_network_action
    uint8_t family = 0;
    uint8_t protocol = 0;
    uint16_t local_port = 0, remote_port = 0;
    std::array<uint8_t, 16> local_addr{}, remote_addr{};
    uint64_t bytes_sent = 0, bytes_received = 0;
};

struct FileEvent {
    int32_t pid = 0;  // 0 when unknown
    uint32_t action = 0;  // vigil_file_action
    std::string path, new_path;
    bool is_dir = false;
    // What the syscall set, for when the file is gone before it can be stat'ed.
    std::optional<uint32_t> mode;
    std::optional<uint32_t> owner_uid, owner_gid;
    // The file's state at the event when the sensor read it from the inode (then no lstat).
    struct Inode {
        uint32_t mode = 0, uid = 0, gid = 0;
        uint64_t size = 0, ino = 0, dev = 0;  // dev as stat() gives it
    };
    std::optional<Inode> inode;
};

class SensorSink {
public:
    virtual ~SensorSink() = default;
    virtual void on_exec(ExecEvent&& e) = 0;
    virtual void on_fork(const ForkEvent& e) = 0;
    virtual void on_exit(const ExitEvent& e) = 0;
    virtual void on_network(const NetEvent& e) = 0;
    virtual void on_file(FileEvent&& e) = 0;
    // Events the sensor knows it lost (ring buffer full, socket overrun, ...).
    virtual void on_loss(const char* where, uint64_t count) = 0;
    // Modify events the sensor merged into an earlier report of the same file by the same
    // process (reported once, counted here; not a loss).
    virtual void on_modifies_merged(uint64_t) {}
    // File events dropped by the sensor itself because the file is on an excluded mount
    // (the same events the watch/exclude filter would drop; not a loss).
    virtual void on_files_excluded_in_kernel(uint64_t) {}
};

// What a sensor covers.
enum SensorKind : uint32_t { kProcessSensor = 1, kNetworkSensor = 2, kFileSensor = 4 };

class Sensor {
public:
    virtual ~Sensor() = default;
    // "ebpf", "netlink-proc", "sock_diag", "fanotify"
    virtual std::string name() const = 0;
    virtual uint32_t kinds() const = 0;
    // Throws std::runtime_error with the reason when the mechanism is
    // unavailable (no BTF, no permission, old kernel). Events flow from a
    // sensor-owned thread into `sink` until stop().
    virtual void start(SensorSink& sink) = 0;
    // Returns within a second or so.
    virtual void stop() = 0;
    // The pipeline has the hash of this executable (a sensor may treat it as seen).
    // Thread-safe; called from worker threads while the sensor runs.
    virtual void remember_executable(const ExeKey&) {}
};

}  // namespace vigil::behavior
