// behavior sensors benchmark: an exec-heavy and a file-heavy workload, each
// run without and with the agent's sensors (in a separate "agent" process,
// so its CPU time is measured apart) in the same invocation. Prints JSON:
// slowdown ratio, agent CPU seconds, events seen vs expected, losses, RSS.
//
//   behavior_sensors_bench [--execs N] [--files N] [--sensor ebpf|netlink]
#include "src/sensor_set.hpp"
#include "src/telemetry_pipeline.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double exec_workload(int n) {
    auto t0 = Clock::now();
    char arg0[] = "/bin/true";
    char* argv[] = {arg0, nullptr};
    for (int i = 0; i < n; ++i) {
        pid_t pid;
        if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) == 0) waitpid(pid, nullptr, 0);
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Each iteration: create+write+close, rename, delete = 4 file events.
double file_workload(const std::string& dir, int n) {
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        std::string a = dir + "/f" + std::to_string(i), b = a + ".r";
        int fd = ::open(a.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            (void)!::write(fd, "data\n", 5);
            ::close(fd);
        }
        ::rename(a.c_str(), b.c_str());
        ::unlink(b.c_str());
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct AgentResult {
    double cpu_s = 0;
    long maxrss_kib = 0;
    uint64_t starts_true = 0, files_in_dir = 0, lost = 0, table_live = 0, table_exited = 0;
    std::string mechanism;
};

// Runs the sensors in a child until told to stop; the child reports back.
class Agent {
public:
    Agent(const std::string& sensor, const std::string& watch) {
        int up[2], down[2];
        if (::pipe(up) != 0 || ::pipe(down) != 0) std::exit(2);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(up[0]);
            ::close(down[1]);
            child(sensor, watch, up[1], down[0]);
            ::_exit(0);
        }
        ::close(up[1]);
        ::close(down[0]);
        to_child_ = down[1];
        from_child_ = up[0];
        char c;
        if (::read(from_child_, &c, 1) != 1) std::exit(3);  // ready
    }
    AgentResult finish() {
        (void)!::write(to_child_, "s", 1);
        AgentResult r;
        char buf[512] = {};
        ssize_t n = ::read(from_child_, buf, sizeof buf - 1);
        if (n > 0) {
            char mech[32] = {};
            std::sscanf(buf, "%lf %ld %lu %lu %lu %lu %lu %31s", &r.cpu_s, &r.maxrss_kib, &r.starts_true, &r.files_in_dir,
                        &r.lost, &r.table_live, &r.table_exited, mech);
            r.mechanism = mech;
        }
        ::waitpid(pid_, nullptr, 0);
        ::close(to_child_);
        ::close(from_child_);
        return r;
    }

private:
    static void child(const std::string& sensor, const std::string& watch, int up, int down) {
        behavior::Settings s;
        s.sensor = sensor;
        s.file_watch_paths = {watch};
        std::atomic<uint64_t> starts{0}, files{0};
        behavior::PipelineOptions o;
        o.files = behavior::PathFilter({watch}, {});
        o.self_pid = ::getpid();
        behavior::TelemetryPipeline pipeline(o, [&](uint32_t type, const void* p, uint32_t n) {
            if (type == VIGIL_TYPE_PROCESS_START) {
                auto v = vigil::view<vigil_process_event>(p, n);
                auto exe = v.str(v->process.exe);
                if (exe.size() >= 5 && exe.substr(exe.size() - 5) == "/true") ++starts;
            } else if (type == VIGIL_TYPE_FILE) {
                ++files;
            }
        });
        behavior::SensorSet set(s, ::getpid(), [](int, const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); });
        set.start(pipeline);
        (void)!::write(up, "r", 1);
        char c;
        (void)!::read(down, &c, 1);
        // Let the ring buffer / sockets drain before counting.
        ::usleep(1500 * 1000);
        set.stop();
        rusage ru{};
        ::getrusage(RUSAGE_SELF, &ru);
        double cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        auto c2 = pipeline.counters();
        auto t = pipeline.table_stats();
        char buf[512];
        int n = std::snprintf(buf, sizeof buf, "%f %ld %lu %lu %lu %lu %lu %s", cpu, ru.ru_maxrss, (unsigned long)starts.load(),
                              (unsigned long)files.load(), (unsigned long)c2.lost_total, (unsigned long)t.live,
                              (unsigned long)t.exited, set.mechanism().c_str());
        (void)!::write(up, buf, size_t(n));
    }
    pid_t pid_ = -1;
    int to_child_ = -1, from_child_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
    int execs = 20000, files = 20000;
    std::string sensor = "ebpf";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k == "--execs") execs = std::atoi(argv[i + 1]);
        else if (k == "--files") files = std::atoi(argv[i + 1]);
        else if (k == "--sensor") sensor = argv[i + 1];
    }
    std::string dir = "/tmp/behavior_bench_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);

    double exec_base = exec_workload(execs);
    Agent a1(sensor, dir);
    double exec_with = exec_workload(execs);
    AgentResult r1 = a1.finish();

    double file_base = file_workload(dir, files);
    Agent a2(sensor, dir);
    double file_with = file_workload(dir, files);
    AgentResult r2 = a2.finish();
    std::filesystem::remove_all(dir);

    std::printf(
        "{\"scenario\":\"sensors\",\"sensor\":\"%s\",\n"
        " \"exec_heavy\":{\"processes\":%d,\"baseline_s\":%.3f,\"with_agent_s\":%.3f,\"slowdown\":%.3f,"
        "\"rate_per_s\":%.0f,\"agent_cpu_s\":%.3f,\"agent_cpu_pct_of_core\":%.2f,\"events_expected\":%d,"
        "\"events_seen\":%lu,\"lost\":%lu,\"agent_maxrss_kib\":%ld,\"table_live\":%lu,\"table_exited\":%lu},\n"
        " \"file_heavy\":{\"iterations\":%d,\"baseline_s\":%.3f,\"with_agent_s\":%.3f,\"slowdown\":%.3f,"
        "\"agent_cpu_s\":%.3f,\"events_expected\":%d,\"events_seen\":%lu,\"lost\":%lu,\"agent_maxrss_kib\":%ld}}\n",
        r1.mechanism.c_str(), execs, exec_base, exec_with, exec_with / exec_base, execs / exec_with, r1.cpu_s,
        100.0 * r1.cpu_s / exec_with, execs, (unsigned long)r1.starts_true, (unsigned long)r1.lost, r1.maxrss_kib,
        (unsigned long)r1.table_live, (unsigned long)r1.table_exited, files, file_base, file_with,
        file_with / file_base, r2.cpu_s, files * 4, (unsigned long)r2.files_in_dir, (unsigned long)r2.lost,
        r2.maxrss_kib);
    return 0;
}
