// vigil-bench sensors: the behavior sensors under an exec-heavy and a
// file-heavy workload, each run without and with the agent in the same
// invocation, plus process-table memory across synthetic heavy churn.
//
//   vigil-bench sensors [--execs 20000] [--files 20000] [--sensor ebpf|netlink]
//                       [--rounds 4] [--warmup 200] [--churn 1000000] [--no-hash] [--no-detection]
//                       [--sensors process,network,file] [--bpf-stats] [--cold-agents] [--json]
//
// The "agent" runs in a forked child (sensors + process table + hashing, and
// Sigma detection with the built-in rules when built in) so that its CPU time
// is measured apart from the workload's. Prints one JSON line per workload.
//
// Each round starts a fresh agent, which first sees `--warmup` iterations of the
// workload: the one-time work of a process or executable seen for the first time
// (reading /proc for the bench's own process as parent context, hashing each new
// executable — the unstripped vigil-bench of some 40 MB among them) happens there, as it
// would once after the agent starts on a real host. The agent's CPU is then measured over
// the workload proper: the steady state. The first-sight cost is reported beside it
// (`first_sight_*`), and `agent_cpu_pct_at_1600_execs_per_s_incl_first_sight` spreads
// it over the whole run. Each agent saves its executable hashes for the next, as the
// plugin keeps them across restarts (<state_dir>/exe_hashes): only the first agent of a
// run hashes the executables, once, like an agent on a fresh host; with --cold-agents
// every agent starts empty (each round pays the whole first sight again).
//
// `bpf_run_time`: the kernel's run time and run count of each sensor program over the
// measured part with --bpf-stats (summed over rounds; the agent holds a BPF_ENABLE_STATS
// fd, so this needs root), for every process on the host, not only the workload; per
// program ns_per_run and the total per workload iteration.
#include "bench.hpp"
#include "sensors_bench_bpf.hpp"
#include "sensor_set.hpp"
#include "telemetry_pipeline.hpp"
#include "detection.hpp"
#if BEHAVIOR_HAVE_EBPF
#include "sensors/ebpf/ebpf_sensor.hpp"

#include <bpf/bpf.h>
#endif

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

extern char** environ;

namespace {

using vigil::bench::JsonLine;
using namespace vigil::behavior::bench;

// CPU seconds of the workload itself: this thread (the spawning loop, file calls) plus
// every child it has waited for (the /bin/true processes). Kernel work done for the
// agent's probes in those processes is charged here, the agent's own work is not (the
// agent is waited for only after the measurement). Far less noisy on a shared VM than
// wall time.
double workload_cpu_s() {
    rusage self{}, kids{};
    ::getrusage(RUSAGE_THREAD, &self);
    ::getrusage(RUSAGE_CHILDREN, &kids);
    auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return s(self.ru_utime) + s(self.ru_stime) + s(kids.ru_utime) + s(kids.ru_stime);
}

double exec_workload(long n) {
    double t0 = vigil::bench::now_s();
    char arg0[] = "/bin/true";
    char* argv[] = {arg0, nullptr};
    for (long i = 0; i < n; ++i) {
        pid_t pid;
        if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) == 0) waitpid(pid, nullptr, 0);
    }
    return vigil::bench::now_s() - t0;
}

// Each iteration: create + write + close, rename, delete = 4 file events.
double file_workload(const std::string& dir, long n) {
    double t0 = vigil::bench::now_s();
    for (long i = 0; i < n; ++i) {
        std::string a = dir + "/f" + std::to_string(i), b = a + ".r";
        int fd = ::open(a.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            (void)!::write(fd, "data\n", 5);
            ::close(fd);
        }
        ::rename(a.c_str(), b.c_str());
        ::unlink(b.c_str());
    }
    return vigil::bench::now_s() - t0;
}

// --ring-kib N: the agent's ring_buffer_kib (0, the default, sizes it by CPU count).
uint32_t ring_kib_option = 0;
// Where each agent keeps its executable hashes for the next one, as the plugin keeps
// them in <state_dir>/exe_hashes across restarts ("" with --cold-agents: every agent
// starts with none and hashes everything again).
std::string hash_cache_file;
// --bpf-stats: count each program's run time (two clock reads per run: off by default so
// that the slowdown figures carry no measurement cost).
bool bpf_stats_option = false;

long long ring_kib_in_use() {
    return vigil::behavior::ring_buffer_kib_in_use(ring_kib_option, unsigned(::get_nprocs()));
}

struct AgentResult {
    double cpu_s = 0;  // from the start of the measurement to the end of the drain
    long rss_kib = 0;
    unsigned long starts = 0, files = 0, lost = 0, live = 0, exited = 0, detections = 0, hashed = 0, other = 0;
    double hash_cpu_s = 0;
    // From "ready" to the start of the measurement: the warm-up.
    double first_cpu_s = 0, first_hash_cpu_s = 0;
    double first_round_cpu_s = 0;  // of the first agent: the only one with no saved hashes
    unsigned long first_hashed = 0;
    char mechanism[32] = {};
    // bpf_stats run time and runs per program over the measurement (when the kernel counts).
    bool bpf_stats = false;
    BpfCounts bpf;
};

// The sensors in a child process, until told to stop.
class Agent {
public:
    Agent(const std::string& sensor, const std::string& watch, bool hash, bool detect, const std::string& kinds) {
        int up[2], down[2];
        if (::pipe(up) != 0 || ::pipe(down) != 0) throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(up[0]);
            ::close(down[1]);
            child(sensor, watch, hash, detect, kinds, up[1], down[0]);
            ::_exit(0);
        }
        ::close(up[1]);
        ::close(down[0]);
        to_child_ = down[1];
        from_child_ = up[0];
        char c;
        if (::read(from_child_, &c, 1) != 1) throw std::runtime_error("agent did not start");
    }
    // Ends the warm-up: the agent's counters from here on are the measurement.
    void begin_measurement() {
        (void)!::write(to_child_, "m", 1);
        char c;
        if (::read(from_child_, &c, 1) != 1) throw std::runtime_error("agent did not answer");
    }
    AgentResult finish() {
        (void)!::write(to_child_, "s", 1);
        AgentResult r;
        char buf[8192] = {};
        if (::read(from_child_, buf, sizeof buf - 1) > 0)
            std::sscanf(buf, "%lf %ld %lu %lu %lu %lu %lu %lu %lu %lu %lf %lf %lf %lu %31s", &r.cpu_s, &r.rss_kib,
                        &r.starts, &r.files, &r.lost, &r.live, &r.exited, &r.detections, &r.hashed, &r.other,
                        &r.hash_cpu_s, &r.first_cpu_s, &r.first_hash_cpu_s, &r.first_hashed, r.mechanism);
        parse_bpf_text(buf, r.bpf_stats, r.bpf);
        ::waitpid(pid_, nullptr, 0);
        ::close(to_child_);
        ::close(from_child_);
        return r;
    }

private:
    static void child(const std::string& sensor, const std::string& watch, bool hash, [[maybe_unused]] bool detect,
                      const std::string& kinds, int up, int down) {
        vigil::behavior::Settings s;
        s.sensor = sensor;
        s.process_events = kinds.find("process") != std::string::npos;
        s.network_events = kinds.find("network") != std::string::npos;
        s.file_events = kinds.find("file") != std::string::npos;
        s.hash_executables = hash;
        s.ring_buffer_kib = ring_kib_option;
        s.file_watch_paths = {watch};
        std::atomic<unsigned long> starts{0}, files{0};
        vigil::behavior::PipelineOptions o;
        o.files = vigil::behavior::PathFilter({watch}, {});
        o.self_pid = ::getpid();
        o.hash_executables = hash;
        std::function<void(uint32_t, const void*, uint32_t)> detect_fn;
        vigil::behavior::DetectionHooks hooks;
        hooks.publish = [](uint32_t, const void*, uint32_t) {};
        std::unique_ptr<vigil::behavior::Detection> detection = std::make_unique<vigil::behavior::Detection>(s, hooks);
        if (detect) detect_fn = [&](uint32_t t, const void* p, uint32_t n) { detection->evaluate(t, p, n); };
        vigil::behavior::TelemetryPipeline pipeline(o, [&](uint32_t type, const void* p, uint32_t n) {
            if (type == VIGIL_TYPE_PROCESS_START) {
                auto v = vigil::view<vigil_process_event>(p, n);
                auto exe = v.str(v->process.exe);
                if (exe.size() >= 5 && exe.substr(exe.size() - 5) == "/true") ++starts;
            } else if (type == VIGIL_TYPE_FILE) {
                ++files;
            }
            if (detect_fn) detect_fn(type, p, n);
        });
        vigil::behavior::SensorSet set(s, ::getpid(), [](int, const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); });
#if BEHAVIOR_HAVE_EBPF
        // Per-program run time is counted while this fd is open (root; else the sysctl decides).
        const int stats_fd = bpf_stats_option ? bpf_enable_stats(BPF_STATS_RUN_TIME) : -1;
#else
        const int stats_fd = -1;
#endif
        if (hash && !hash_cache_file.empty()) {
            auto loaded = pipeline.hasher().load(hash_cache_file);
            if (!loaded.error.empty()) std::fprintf(stderr, "sensors bench: %s\n", loaded.error.c_str());
        }
        set.start(pipeline);
        double cpu_ready = vigil::bench::self_cpu_s();
        (void)!::write(up, "r", 1);
        char c;
        (void)!::read(down, &c, 1);  // 'm': the warm-up is over
        double cpu0 = vigil::bench::self_cpu_s();
        const double first_cpu = cpu0 - cpu_ready;
        const unsigned long first_hashed = (unsigned long)pipeline.hasher().hashed_files();
        const double first_hash_cpu = double(pipeline.hasher().hash_cpu_ns()) / 1e9;
        const unsigned long first_starts = starts.load(), first_files = files.load();
        const auto first_counters = pipeline.counters();
        const BpfCounts bpf_before = bpf_counts(set);
        (void)!::write(up, "k", 1);
        (void)!::read(down, &c, 1);  // 's': the workload is over
        ::usleep(1500 * 1000);  // let the ring buffer / sockets drain
        double cpu = vigil::bench::self_cpu_s() - cpu0;
        const std::string bpf = bpf_text(stats_fd >= 0, bpf_before, bpf_counts(set));
        set.stop();
        if (hash && !hash_cache_file.empty()) {
            if (auto err = pipeline.hasher().save(hash_cache_file); !err.empty())
                std::fprintf(stderr, "sensors bench: %s\n", err.c_str());
        }
        auto counters = pipeline.counters();
        auto t = pipeline.table_stats();
        unsigned long detections = 0;
        auto st = detection->status_json();
        if (auto pos = st.find("\"detections\":"); pos != std::string::npos) detections = std::stoul(st.substr(pos + 13));
        char buf[512];
        // Everything else the agent saw meanwhile (other users of the host).
        auto published = [](const vigil::behavior::TelemetryPipeline::Counters& k) {
            return (unsigned long)(k.process_start + k.process_exit + k.network + k.file);
        };
        // Losses over the whole run (warm-up included): there should be none anywhere.
        int n = std::snprintf(buf, sizeof buf, "%f %ld %lu %lu %lu %lu %lu %lu %lu %lu %f %f %f %lu %s", cpu,
                              vigil::bench::rss_kib(::getpid()), starts.load() - first_starts,
                              files.load() - first_files, (unsigned long)counters.lost_total, (unsigned long)t.live,
                              (unsigned long)t.exited, detections,
                              (unsigned long)pipeline.hasher().hashed_files() - first_hashed,
                              published(counters) - published(first_counters),
                              double(pipeline.hasher().hash_cpu_ns()) / 1e9 - first_hash_cpu, first_cpu,
                              first_hash_cpu, first_hashed, set.mechanism().c_str());
        const std::string line = std::string(buf, size_t(std::max(0, std::min(n, int(sizeof buf) - 1)))) + bpf;
        (void)!::write(up, line.data(), line.size());
    }
    pid_t pid_ = -1;
    int to_child_ = -1, from_child_ = -1;
};

// Synthetic churn straight into the pipeline (no kernel): exec + exit of
// `n` distinct pids, to show the process table's memory is bounded.
void churn(long n, JsonLine& out) {
    struct stat st{};
    ::stat("/bin/true", &st);
    vigil::behavior::PipelineOptions o;
    o.self_pid = -1;
    vigil::behavior::TelemetryPipeline pipeline(o, [](uint32_t, const void*, uint32_t) {});
    // The synthetic pids never exist, so no worker could hash /bin/true through them: put
    // its digest in the cache first, as the first real exec of it would (steady state).
    pipeline.hasher().hash("/bin/true", vigil::behavior::exe_key_of(st));
    long rss0 = vigil::bench::rss_kib(::getpid()), rss_mid = 0;
    double t0 = vigil::bench::now_s();
    for (long i = 0; i < n; ++i) {
        vigil::behavior::ExecEvent e;
        e.pid = int32_t(4000000 + (i % 4000000));
        e.ppid = ::getpid();
        vigil::behavior::ProcessRecord r;
        r.info.pid = e.pid;
        r.info.ppid = e.ppid;
        r.info.exe = "/bin/true";
        r.info.argv = {"/bin/true", "--churn", std::to_string(i)};
        r.info.cmdline = "/bin/true --churn " + std::to_string(i);
        r.info.cwd = "/";
        r.info.flags = VIGIL_PROC_FLAG_KNOWN;
        r.exe_key = vigil::behavior::exe_key_of(st);
        e.snapshot = std::move(r);
        pipeline.on_exec(std::move(e));
        pipeline.on_exit(vigil::behavior::ExitEvent{int32_t(4000000 + (i % 4000000)), 0, 0});
        if (i == n / 10) rss_mid = vigil::bench::rss_kib(::getpid());
    }
    double secs = vigil::bench::now_s() - t0;
    auto t = pipeline.table_stats();
    out.kv("workload", "churn").kv("processes", (long long)n).kv("seconds", secs)
        .kv("events_per_s", double(2 * n) / secs).kv("rss_start_kib", (long long)rss0)
        .kv("rss_after_10pct_kib", (long long)rss_mid).kv("rss_end_kib", (long long)vigil::bench::rss_kib(::getpid()))
        .kv("table_live", (long long)t.live).kv("table_exited", (long long)t.exited);
}

// The fields every with/without-agent workload line starts with.
JsonLine workload_line(const char* workload, const AgentResult& r, long rounds, double base, double with,
                       std::vector<double>& ratios) {
    JsonLine j;
    j.kv("scenario", "sensors").kv("workload", workload).kv("sensor", r.mechanism)
        .kv("ring_buffer_kib", ring_kib_in_use()).kv("rounds", (long long)rounds).kv("baseline_s", base)
        .kv("with_agent_s", with).kv("slowdown", with / base)
        .kv("slowdown_median_round", vigil::bench::percentile(ratios, 50));
    return j;
}

}  // namespace

VIGIL_BENCH(behavior_sensors, "sensors",
            "behavior sensors: exec-heavy and file-heavy workloads with/without the agent, table churn") {
    long execs = long(args.get_int("execs", 20000)), files = long(args.get_int("files", 20000));
    long churn_n = long(args.get_int("churn", 1000000));
    std::string sensor = args.get("sensor", "ebpf");
    ring_kib_option = uint32_t(args.get_int("ring-kib", 0));
    bpf_stats_option = args.has("bpf-stats");
    // For attributing the agent's CPU: --no-hash, --no-detection.
    bool hash = !args.has("no-hash"), detect = !args.has("no-detection");
    // Which sensors run (for attributing the slowdown): --sensors process,network,file.
    std::string kinds = args.get("sensors", "process,network,file");
    std::string dir = "/tmp/behavior_bench_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    // Beside the watched directory, not in it: saving it is no event of the workload.
    hash_cache_file = args.has("cold-agents") ? std::string() : dir + ".exe_hashes";
    auto remove_cache = [] { return hash_cache_file.empty() || ::unlink(hash_cache_file.c_str()) == 0; };
    try {
        // Baseline and agent runs alternate in rounds so that drift in the
        // machine's load (shared CI hosts) hits both sides alike.
        long rounds = std::max(1L, long(args.get_int("rounds", 4)));
        long warmup = std::max(0L, long(args.get_int("warmup", 200)));
        double base_cpu = 0, with_cpu = 0;  // of the current workload, summed over rounds
        auto measure = [&](long total, auto&& workload, AgentResult& sum, double& base, double& with,
                           std::vector<double>& ratios) {
            base_cpu = with_cpu = 0;
            auto timed = [&](long n, double& cpu) {
                double c0 = workload_cpu_s();
                double wall = workload(n);
                cpu += workload_cpu_s() - c0;
                return wall;
            };
            for (long r = 0; r < rounds; ++r) {
                long n = total / rounds + (r < total % rounds ? 1 : 0);
                // Alternate which side goes first (caches, CPU frequency).
                double b = 0, w = 0;
                if (r % 2 == 0) b = timed(n, base_cpu);
                Agent a(sensor, dir, hash, detect, kinds);
                if (warmup > 0) {
                    workload(warmup);
                    ::usleep(300 * 1000);  // the agent takes in the warm-up's events
                }
                a.begin_measurement();
                w = timed(n, with_cpu);
                AgentResult res = a.finish();
                if (r % 2 == 1) b = timed(n, base_cpu);
                base += b;
                with += w;
                ratios.push_back(w / b);
                sum.cpu_s += res.cpu_s;
                sum.starts += res.starts;
                sum.files += res.files;
                sum.lost += res.lost;
                sum.detections += res.detections;
                sum.hashed += res.hashed;
                sum.other += res.other;
                sum.hash_cpu_s += res.hash_cpu_s;
                if (r == 0) sum.first_round_cpu_s = res.first_cpu_s;
                sum.first_cpu_s += res.first_cpu_s;
                sum.first_hash_cpu_s += res.first_hash_cpu_s;
                sum.first_hashed += res.first_hashed;
                sum.rss_kib = std::max(sum.rss_kib, res.rss_kib);
                sum.bpf_stats = res.bpf_stats;
                for (const auto& [name, v] : res.bpf) {
                    sum.bpf[name].first += v.first;
                    sum.bpf[name].second += v.second;
                }
                sum.live = res.live;
                sum.exited = res.exited;
                std::memcpy(sum.mechanism, res.mechanism, sizeof sum.mechanism);
            }
        };
        if (execs > 0) {
            AgentResult r;
            double base = 0, with = 0;
            std::vector<double> ratios;
            measure(execs, exec_workload, r, base, with, ratios);
            double rate = double(execs) / with;
            JsonLine j = workload_line("exec_heavy", r, rounds, base, with, ratios);
            j.kv("processes", (long long)execs)
                .kv("workload_cpu_s_baseline", base_cpu).kv("workload_cpu_s_with_agent", with_cpu)
                .kv("workload_cpu_ratio", with_cpu / base_cpu).kv("execs_per_s", rate)
                .kv("agent_cpu_s", r.cpu_s).kv("agent_cpu_pct_of_core", 100.0 * r.cpu_s / with)
                .kv("agent_cpu_pct_at_1600_execs_per_s", 100.0 * r.cpu_s / double(execs) * 1600.0)
                .kv("events_expected", (long long)execs).kv("events_seen", (long long)r.starts)
                .kv("lost", (long long)r.lost).kv("detections", (long long)r.detections)
                .kv("all_events_published", (long long)r.other)
                // The agent sees every process on the host: on a shared machine the others'
                // events are in agent_cpu_s too. Per event, at 2 events (start, exit) per exec:
                .kv("agent_cpu_pct_at_1600_execs_per_s_per_event",
                    r.other ? 100.0 * r.cpu_s / double(r.other) * 2.0 * 1600.0 : 0.0)
                .kv("executables_hashed", (long long)r.hashed)
                .kv("hashing_cpu_s", r.hash_cpu_s)
                .kv("warmup_processes", (long long)(warmup * rounds))
                .kv("hash_cache_kept_across_restarts", !hash_cache_file.empty())
                .kv("first_sight_agent_cpu_s", r.first_cpu_s)
                .kv("first_sight_agent_cpu_s_first_agent", r.first_round_cpu_s)
                .kv("first_sight_executables_hashed", (long long)r.first_hashed)
                .kv("first_sight_hashing_cpu_s", r.first_hash_cpu_s)
                .kv("agent_cpu_pct_at_1600_execs_per_s_incl_first_sight",
                    100.0 * (r.cpu_s + r.first_cpu_s) / double(execs + warmup * rounds) * 1600.0)
                .kv("agent_rss_kib", (long long)r.rss_kib).kv("table_live", (long long)r.live)
                .kv("table_exited", (long long)r.exited).raw("bpf_run_time", bpf_json(r.bpf_stats, r.bpf, execs));
            j.print();
        }
        if (files > 0) {
            AgentResult r;
            double base = 0, with = 0;
            std::vector<double> ratios;
            auto fw = [&](long n) { return file_workload(dir, n); };
            measure(files, fw, r, base, with, ratios);
            JsonLine j = workload_line("file_heavy", r, rounds, base, with, ratios);
            j.kv("iterations", (long long)files)
                .kv("workload_cpu_ratio", with_cpu / base_cpu)
                .kv("file_events_per_s", 4.0 * double(files) / with).kv("agent_cpu_s", r.cpu_s)
                .kv("events_expected", (long long)(4 * files)).kv("events_seen", (long long)r.files)
                .kv("lost", (long long)r.lost).kv("agent_rss_kib", (long long)r.rss_kib)
                .raw("bpf_run_time", bpf_json(r.bpf_stats, r.bpf, files));
            j.print();
        }
        if (churn_n > 0) {
            JsonLine j;
            j.kv("scenario", "sensors");
            churn(churn_n, j);
            j.print();
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sensors bench: %s\n", e.what());
        std::filesystem::remove_all(dir);
        remove_cache();
        return 1;
    }
    std::filesystem::remove_all(dir);
    remove_cache();
    return 0;
}
