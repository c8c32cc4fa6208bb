// Turns raw sensor events into bus payloads with full process context:
// completes what the kernel told from /proc, keeps the process table, filters file
// paths, counts every loss. Executable hashes and long command lines come from worker
// threads (context_completer.hpp); an event waits for them in the ordered output for at
// most `hash_wait_ms`, so no sensor thread ever waits on a file a user controls.
#pragma once

#include "process/hash_options.hpp"
#include "process/proc_reader.hpp"
#include "process/process_table.hpp"
#include "process/user_names.hpp"
#include "sensors/sensor.hpp"
#include "context_completer.hpp"
#include "ordered_output.hpp"
#include "path_filter.hpp"

#include <sys/stat.h>

#include <vigil/common/mount_info.hpp>

#include <atomic>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace vigil::behavior {

// Receives each finished payload (type id + flat bytes).
using PayloadSink = std::function<void(uint32_t type, const void* payload, uint32_t size)>;

struct PipelineOptions : HashOptions {
    ProcessTable::Limits table;
    PathFilter files;
    int32_t self_pid = 0;  // events caused by the agent itself are dropped
    uint64_t init_mnt_ns = 0;  // mount namespace of pid 1: others are containers
};

class TelemetryPipeline : public SensorSink {
public:
    TelemetryPipeline(PipelineOptions opts, PayloadSink out, ProcReader reader = ProcReader());
    ~TelemetryPipeline() override;

    // Publishes what still waits and ends the worker threads (after the sensors stopped).
    void stop();

    void on_exec(ExecEvent&& e) override;
    void on_fork(const ForkEvent& e) override;
    void on_exit(const ExitEvent& e) override;
    void on_network(const NetEvent& e) override;
    void on_file(FileEvent&& e) override;
    void on_loss(const char* where, uint64_t count) override;
    void on_modifies_merged(uint64_t count) override;
    void on_files_excluded_in_kernel(uint64_t count) override;

    // Context for pid: table, else /proc (then remembered), else a bare
    // context with only the pid (flags lack VIGIL_PROC_FLAG_KNOWN).
    ProcessTable::Ptr context(int32_t pid);

    // Executables of pid's ancestors, nearest first (from the table only).
    std::vector<std::string> ancestors(int32_t pid, int max_depth = 16);

    struct Counters {
        uint64_t process_start = 0, process_exit = 0, network = 0, file = 0;
        uint64_t filtered_files = 0, self_events = 0, context_unknown = 0;
        uint64_t file_modify_merged = 0;  // merged by the sensor into an earlier modify report
        uint64_t file_excluded_mount = 0;  // dropped by the sensor: on an excluded mount
        uint64_t lost_total = 0;
        std::map<std::string, uint64_t> lost;  // by reason
    };
    Counters counters();
    ProcessTable::Stats table_stats() { return table_.stats(); }
    ExeHasher& hasher() { return completer_.hasher(); }
    ContextCompleter& completer() { return completer_; }
    OrderedOutput::Stats output_stats() const { return output_.stats(); }

private:
    void complete(ProcessRecord& rec, bool have_snapshot);
    ProcessTable::Ptr settled(ProcessTable::Ptr rec);
    void fill_parent(ProcessRecord& rec);
    void count(uint64_t Counters::*field);
    // The context as events show it, with what the completion jobs found so far: `rec.info`
    // itself, or a copy of it in `scratch`.
    const vigil::ProcessInfo& event_info(const ProcessRecord& rec, vigil::ProcessInfo& scratch);
    template <class F>
    void publish_when_ready(const ProcessTable::Ptr& rec, F&& publish);
    void publish_exit(const ProcessTable::Ptr& rec, const ExitEvent& e);
    void publish_network(const ProcessTable::Ptr& ctx, const NetEvent& e);
    void publish_file(const ProcessTable::Ptr& ctx, const FileEvent& e, const struct stat* now);

    PipelineOptions opts_;
    // File events on FUSE/network mounts are not lstat'ed on the sensor thread.
    vigil::common::RemoteMounts remote_mounts_;
    PayloadSink out_;
    ProcReader reader_;
    UserNames users_;
    ProcessTable table_;
    std::mutex counters_mu_;
    Counters counters_;
    OrderedOutput output_;
    ContextCompleter completer_;  // after output_: its jobs wake it
};

}  // namespace vigil::behavior
