// A small, bounded pool of threads for work that may block on files a user controls
// (hashing executables, reading command lines). Sensor threads hand work over and never
// wait: when the queue is full, submit() refuses at once.
//
// A job stuck in the kernel (a filesystem that never answers) cannot be cancelled. A
// worker busy on one job for longer than `stuck_after_ns` is given up: it is counted,
// `on_stuck` names the job's tag (e.g. the device, so later files there are skipped), and
// a replacement thread takes its place, at most `max_replacements` times. A given-up
// thread exits when its job returns. Everything the threads touch is owned through a
// shared pointer, so a thread that outlives the pool is harmless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace vigil::behavior {

class HashWorkers {
public:
    struct State;  // shared with the threads
    struct Options {
        unsigned workers = 2;
        size_t queue_max = 256;
        uint64_t stuck_after_ns = 10ull * 1000000000ull;
        unsigned max_replacements = 4;
    };
    using Job = std::function<void()>;
    using OnStuck = std::function<void(uint64_t tag)>;

    HashWorkers(Options o, OnStuck on_stuck);
    ~HashWorkers();
    HashWorkers(const HashWorkers&) = delete;
    HashWorkers& operator=(const HashWorkers&) = delete;

    // Queues `job`; false when the queue is full or the pool stopped (the job is dropped).
    bool submit(uint64_t tag, Job job);
    // Drops queued jobs, waits for running ones except given-up threads, which are left.
    void stop();

    struct Stats {
        uint64_t done = 0, refused = 0, stuck = 0;
        size_t queued = 0, busy = 0, threads = 0;
    };
    Stats stats() const;

private:
    std::shared_ptr<State> s_;
};

}  // namespace vigil::behavior
