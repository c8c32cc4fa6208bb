// Runs the file phase of a scan: the walker hands files to an evaluation
// function, either on its own thread (IOCs that need only names and paths:
// a queue hand-off would cost more than the evaluation, so the scan costs
// what the walk costs) or through a bounded queue to parallel workers
// (stat, hashes, strings). Scan threads run at the configured priority and
// CPU cap.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "file_view.hpp"
#include "file_walker.hpp"

namespace vigil::ioc_scanner {

struct PoolOptions {
    unsigned workers = 2;
    bool inline_in_walker = false;  // evaluate on the walker thread, no workers
    unsigned cpu_limit_percent = 0;  // of one core, for the whole file phase; 0 = no cap
    int nice = 0;
    std::string io_class = "none";
    int io_level = 7;
};

// Lowers this thread's CPU and I/O priority (Linux applies both per thread).
void lower_thread_priority(int nice, const std::string& io_class, int io_level);

// Walks `wo` and calls `evaluate` once per file (from several threads unless
// inline_in_walker); `tick` runs after each file on the thread that evaluated it.
void run_file_phase(const WalkOptions& wo, const PoolOptions& po, const std::atomic<bool>& cancel,
                    WalkCounters& walk_counters, const std::function<void(const FileEntry&)>& evaluate,
                    const std::function<void()>& tick);

}  // namespace vigil::ioc_scanner
