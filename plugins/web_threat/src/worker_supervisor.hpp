// Runs the worker process for the plugin: starts it (posix_spawn, config on
// its fd 3, a report socket on fd 4), reads its reports, notices its exit at
// once (pidfd) and starts it again after a short pause. The spawning thread
// lives as long as the supervisor, so the worker's parent-death signal fires
// only when vigild itself goes away.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace vigil::web_threat {

struct WorkerState {
    enum class Phase : uint8_t { stopped, starting, running, down } phase = Phase::stopped;
    pid_t pid = 0;
    uint64_t starts = 0;
    std::string last_exit;   // "exit status 2", "killed by signal 9"
    std::string last_error;  // the worker's own error report
    uint64_t lists_generation = 0;  // the last list snapshot the worker applied
    std::string lists_error;        // why the last snapshot was refused, or ""
};
const char* phase_name(WorkerState::Phase p);

class WorkerSupervisor {
public:
    struct Callbacks {
        std::function<void(const std::string& report_json)> report;
        std::function<void(const WorkerState& now)> ready;  // the worker intercepts (again)
        std::function<void(const WorkerState& now)> down;   // it ended unexpectedly
        std::function<void(const WorkerState& now)> lists;  // it applied (or refused) a list snapshot
    };

    // `config_json` is written to the worker's fd 3 at every start.
    WorkerSupervisor(std::string path, std::string config_json, Callbacks cb, int restart_ms = 500);
    ~WorkerSupervisor();
    WorkerSupervisor(const WorkerSupervisor&) = delete;
    WorkerSupervisor& operator=(const WorkerSupervisor&) = delete;

    void start();
    // Ends the worker (SIGTERM, SIGKILL after 2 s) and the thread.
    void stop();
    WorkerState state() const;
    // Sends one message to the running (or starting) worker, with `fd`
    // (>= 0) passed along; false when there is no worker or the socket is
    // full.
    bool send(const std::string& msg, int fd = -1);

private:
    void loop();
    bool spawn_one(int& pidfd, int& report_fd);
    // Waits for reports until the worker exits (true) or stop() (false).
    bool watch(int pidfd, int report_fd);
    void on_message(const std::string& msg);
    void reap(int pidfd, bool graceful);
    bool pause_ms(int ms);

    std::string path_, config_;
    Callbacks cb_;
    int restart_ms_;
    int stop_fd_ = -1;    // eventfd
    int report_fd_ = -1;  // the plugin's end of the worker's socket, under mu_
    std::thread thread_;
    mutable std::mutex mu_;
    WorkerState state_;
};

}  // namespace vigil::web_threat
