// Turns raw sensor events into bus payloads with full process context:
// completes what the kernel told from /proc, hashes executables, keeps the
// process table, filters file paths, counts every loss.
#pragma once

#include "../process/exe_hasher.hpp"
#include "../process/proc_reader.hpp"
#include "../process/process_table.hpp"
#include "../process/user_names.hpp"
#include "../sensors/sensor.hpp"
#include "path_filter.hpp"

#include <atomic>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace behavior {

// Receives each finished payload (type id + flat bytes).
using PayloadSink = std::function<void(uint32_t type, const void* payload, uint32_t size)>;

struct PipelineOptions {
    bool hash_executables = true;
    uint64_t hash_max_bytes = 64ull << 20;
    size_t hash_cache_entries = 4096;
    ProcessTable::Limits table;
    PathFilter files;
    int32_t self_pid = 0;  // events caused by the agent itself are dropped
    uint64_t init_mnt_ns = 0;  // mount namespace of pid 1: others are containers
};

class TelemetryPipeline : public SensorSink {
public:
    TelemetryPipeline(PipelineOptions opts, PayloadSink out, ProcReader reader = ProcReader());

    void on_exec(ExecEvent&& e) override;
    void on_fork(const ForkEvent& e) override;
    void on_exit(const ExitEvent& e) override;
    void on_network(const NetEvent& e) override;
    void on_file(FileEvent&& e) override;
    void on_loss(const char* where, uint64_t count) override;

    // Context for pid: table, else /proc (then remembered), else a bare
    // context with only the pid (flags lack VIGIL_PROC_FLAG_KNOWN).
    ProcessTable::Ptr context(int32_t pid);

    // Executables of pid's ancestors, nearest first (from the table only).
    std::vector<std::string> ancestors(int32_t pid, int max_depth = 16);

    struct Counters {
        uint64_t process_start = 0, process_exit = 0, network = 0, file = 0;
        uint64_t filtered_files = 0, self_events = 0, context_unknown = 0;
        uint64_t lost_total = 0;
        std::map<std::string, uint64_t> lost;  // by reason
    };
    Counters counters();
    ProcessTable::Stats table_stats() { return table_.stats(); }
    ExeHasher& hasher() { return hasher_; }

private:
    void complete(ProcessRecord& rec, bool have_snapshot);
    void fill_parent(ProcessRecord& rec);
    void count(uint64_t Counters::*field);

    PipelineOptions opts_;
    PayloadSink out_;
    ProcReader reader_;
    ExeHasher hasher_;
    UserNames users_;
    ProcessTable table_;
    std::mutex counters_mu_;
    Counters counters_;
};

}  // namespace behavior
