// Decides, on the sensor thread and without touching a file a user controls, what a new
// process record lacks (the executable's SHA-256, the full command line) and hands that
// work to the bounded worker pool:
//   - a digest in the cache is used at once (the common case);
//   - too large, FUSE or network filesystem, a filesystem that stalled before, hashing
//     off: the status says why, nothing is read;
//   - otherwise an O_PATH descriptor of /proc/<pid>/exe is taken now (it pins the file
//     the process runs, without opening it for reading, which is what a FUSE daemon could
//     stall), and a worker hashes through it;
//   - a command line longer than the kernel's copy, or one the netlink sensor never had,
//     is read by the worker (reading it reads the target's memory).
// The record gets a Completion that events wait on for at most `hash_wait_ms`.
#pragma once

#include "process/completion.hpp"
#include "process/exe_hasher.hpp"
#include "process/hash_options.hpp"
#include "process/hash_workers.hpp"
#include "process/proc_reader.hpp"

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace vigil::behavior {

class ContextCompleter {
public:
    struct Shared;  // what the jobs share with the completer
    using Notify = std::function<void()>;
    using OnHashed = std::function<void(const ExeKey&)>;
    ContextCompleter(HashOptions o, ProcReader reader, Notify job_done);
    ~ContextCompleter();

    // Fills rec.info.sha256/hash_status and rec.completion (see above).
    void complete(ProcessRecord& rec, bool needs_argv);
    // Told about every executable hashed (the eBPF sensor stops waking up early for it).
    void set_on_hashed(OnHashed f);
    // Ends the workers; no callback runs afterwards.
    void stop();

    ExeHasher& hasher();
    HashWorkers::Stats worker_stats() const { return workers_.stats(); }
    // Final statuses decided so far, indexed by vigil_hash_status.
    std::array<uint64_t, 11> status_counts() const;

private:
    void count(uint32_t status);
    uint32_t decide_without_reading(const ProcessRecord& rec);
    bool start_job(ProcessRecord& rec, bool want_hash, bool needs_argv);

    HashOptions opt_;
    std::shared_ptr<Shared> shared_;
    HashWorkers workers_;
};

}  // namespace vigil::behavior
