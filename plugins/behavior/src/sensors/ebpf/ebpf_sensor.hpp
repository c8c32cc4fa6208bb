// The primary sensor: CO-RE eBPF programs on tracepoints (process exec/fork/
// exit, TCP state changes, accept/connect, file syscalls) feeding one ring
// buffer read by a thread here.
#pragma once

#include "sensors/sensor.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

struct vigil_sensors;
struct ring_buffer;
struct bpf_link;

namespace vigil::behavior {

struct EbpfOptions {
    bool network = true;
    bool files = true;
    uint32_t ring_buffer_bytes = 16u << 20;
    int32_t self_pid = 0;
    uint32_t known_executables = 4096;  // size of the kernel's set of hashed executables
    uint32_t modify_merge_ms = 0;       // merge repeated modifies of a file by a process (0: off)
    // Files on mounts at or below these paths are dropped in the kernel (file_exclude_paths).
    std::vector<std::string> exclude_paths;
};

class EbpfSensor : public Sensor {
public:
    explicit EbpfSensor(EbpfOptions o) : opts_(o) {}
    ~EbpfSensor() override;
    std::string name() const override { return "ebpf"; }
    uint32_t kinds() const override;
    // Throws with the reason (no BTF, no permission, verifier refusal, ...).
    void start(SensorSink& sink) override;
    void stop() override;
    void remember_executable(const ExeKey& key) override;
    // Optional programs that could not be attached (e.g. a syscall this
    // kernel lacks), as "program: reason".
    const std::vector<std::string>& problems() const { return problems_; }

    // Run time and runs of each attached program so far (counted only while the kernel's
    // BPF statistics are on: kernel.bpf_stats_enabled or a BPF_ENABLE_STATS fd).
    struct ProgramStats {
        std::string name;
        uint64_t run_time_ns = 0, run_cnt = 0;
    };
    std::vector<ProgramStats> program_stats() const;

    // Decodes one ring buffer record (public for tests).
    static void dispatch(const void* data, size_t size, SensorSink& sink);

private:
    void run();
    void poll_drops();
    void fill_excluded_mounts();

    EbpfOptions opts_;
    SensorSink* sink_ = nullptr;
    vigil_sensors* skel_ = nullptr;
    ring_buffer* rb_ = nullptr;
    std::vector<bpf_link*> links_;
    std::vector<std::string> problems_;
    std::atomic<bool> stop_{false};
    std::atomic<int> known_fd_{-1};
    std::thread thread_;
    std::vector<uint64_t> last_drops_;
    bool attached_net_ = false, attached_files_ = false;
};

// Mount ids (/proc/self/mountinfo text) of the mounts whose mount point is at or below
// one of `prefixes` (whole path components).
std::vector<uint32_t> mounts_under(const std::vector<std::string>& prefixes, const std::string& mountinfo);

// True when this build contains the eBPF programs.
bool ebpf_built();

}  // namespace vigil::behavior
