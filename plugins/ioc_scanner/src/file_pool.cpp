#include "file_pool.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::ioc_scanner {

namespace {

using Clock = std::chrono::steady_clock;

// <linux/ioprio.h> does not compile as C++ (a parameter named `class`).
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassBe = 2, kIoprioClassIdle = 3;
constexpr int ioprio_value(int cls, int level) { return (cls << 13) | level; }

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// Keeps a thread's CPU use at `share` of one core by sleeping.
class Throttle {
public:
    explicit Throttle(double share) : share_(share), cpu0_(thread_cpu_seconds()), t0_(Clock::now()) {}
    void tick() {
        if (share_ <= 0) return;
        const double cpu = thread_cpu_seconds() - cpu0_;
        const double wall = std::chrono::duration<double>(Clock::now() - t0_).count();
        const double owed = cpu / share_ - wall;
        if (owed > 0.001) std::this_thread::sleep_for(std::chrono::duration<double>(std::min(owed, 0.5)));
    }

private:
    double share_;
    double cpu0_;
    Clock::time_point t0_;
};

double share_of(const PoolOptions& po, double threads) {
    return po.cpu_limit_percent ? po.cpu_limit_percent / 100.0 / threads : 0.0;
}

void run_inline(const WalkOptions& wo, const PoolOptions& po, const std::atomic<bool>& cancel,
                WalkCounters& wc, const std::function<void(const FileEntry&)>& evaluate,
                const std::function<void()>& tick) {
    Throttle throttle(share_of(po, 1.0));
    uint64_t walked = 0;
    walk_files(wo, cancel, wc, [&](FileEntry&& e) {
        evaluate(e);
        tick();
        if ((++walked & 255) == 0) throttle.tick();
        return !cancel.load(std::memory_order_relaxed);
    });
}

}  // namespace

void lower_thread_priority(int nice, const std::string& io_class, int io_level) {
    const pid_t tid = pid_t(syscall(SYS_gettid));
    if (nice > 0) setpriority(PRIO_PROCESS, id_t(tid), nice);
    if (io_class == "idle")
        syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, ioprio_value(kIoprioClassIdle, 0));
    else if (io_class == "best-effort")
        syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, ioprio_value(kIoprioClassBe, std::clamp(io_level, 0, 7)));
}

void run_file_phase(const WalkOptions& wo, const PoolOptions& po, const std::atomic<bool>& cancel,
                    WalkCounters& walk_counters, const std::function<void(const FileEntry&)>& evaluate,
                    const std::function<void()>& tick) {
    if (po.inline_in_walker) return run_inline(wo, po, cancel, walk_counters, evaluate, tick);
    const unsigned n = std::max(1u, po.workers);
    std::deque<FileEntry> queue;
    std::mutex mu;
    std::condition_variable not_empty, not_full;
    bool done = false;
    const size_t cap = 4096;
    std::vector<std::thread> workers;
    for (unsigned w = 0; w < n; ++w) {
        workers.emplace_back([&] {
            lower_thread_priority(po.nice, po.io_class, po.io_level);
            Throttle throttle(share_of(po, n));
            for (;;) {
                FileEntry e;
                {
                    std::unique_lock<std::mutex> lk(mu);
                    not_empty.wait(lk, [&] { return !queue.empty() || done; });
                    if (queue.empty()) return;
                    e = std::move(queue.front());
                    queue.pop_front();
                }
                not_full.notify_one();
                if (cancel) continue;  // drain quickly
                evaluate(e);
                throttle.tick();
                tick();
            }
        });
    }
    Throttle walker_throttle(share_of(po, n + 1.0));
    uint64_t walked = 0;
    walk_files(wo, cancel, walk_counters, [&](FileEntry&& e) {
        std::unique_lock<std::mutex> lk(mu);
        not_full.wait(lk, [&] { return queue.size() < cap || cancel; });
        if (cancel) return false;
        queue.push_back(std::move(e));
        lk.unlock();
        not_empty.notify_one();
        if ((++walked & 255) == 0) walker_throttle.tick();
        return true;
    });
    {
        std::lock_guard<std::mutex> lk(mu);
        done = true;
    }
    not_empty.notify_all();
    for (auto& t : workers) t.join();
}

}  // namespace vigil::ioc_scanner
