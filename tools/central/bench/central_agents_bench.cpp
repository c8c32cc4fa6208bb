// vigil-bench central-agents: many agents long-polling one real vigil-central over
// keep-alive mTLS connections (simulated in this process, see sim_agents.hpp).
// Reports, once every agent waits: the server's RSS and threads (and RSS per agent above
// the idle server), task wake-up latency p50/p99 for tasks created through the operator
// API, and telemetry events/s uploaded while they all wait next to the same upload with no
// agent connected (measured first, in the same run).
// Options: --agents N (default 1000), --baseline-agents N (default 100: measured first, in
// the same run), --wait S (long-poll wait, default 60), --tasks N (wake-ups measured per
// population, default 200), --batches N (telemetry batches of 1024 events, default
// 100), --connecting N (handshakes in flight, default 64), --ramp-timeout S (default 600).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "bench.hpp"
#include "bench_batches.hpp"
#include "bench_server.hpp"
#include "gzip.hpp"
#include "sim_agents.hpp"

namespace {

using vigil::bench::JsonLine;
using vigil::central::bench::BenchServer;
using vigil::central::bench::kAgent;
using vigil::central::bench::SimAgents;

// Each agent is a descriptor here and in the server (which inherits this limit).
void raise_descriptor_limit(int agents) {
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    const rlim_t want = static_cast<rlim_t>(agents) * 2 + 1024;
    if (rl.rlim_max < want) rl.rlim_max = want;  // root may raise the hard limit
    rl.rlim_cur = std::max(rl.rlim_cur, std::min(want, rl.rlim_max));
    setrlimit(RLIMIT_NOFILE, &rl);
}

long threads_of(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("Threads:", 0) == 0) return std::stol(line.substr(8));
    return -1;
}

std::vector<std::string> batches(int count, int64_t first_seq) {
    std::vector<std::string> out;
    for (int b = 0; b < count; ++b)
        out.push_back(vigil::central::gzip(vigil::central::bench::make_batch(first_seq + b, 1024)));
    return out;
}

// Creates `tasks` ping tasks for random agents among agent_id(first_id ..+agents), one at a
// time at ~20/s, and waits (≤ 10 s after the last) for them to arrive.
void measure_wakeups(const BenchServer& server, SimAgents& sim, int first_id, int agents, int tasks) {
    std::mt19937 rng(42);
    auto session = server.session();
    std::string reply;
    for (int i = 0; i < tasks; ++i) {
        const std::string id =
            SimAgents::agent_id(first_id + static_cast<int>(rng() % static_cast<unsigned>(agents)));
        sim.stats().expect(id, vigil::bench::now_s());
        server.send(*session, "POST", "/api/v1/tasks", "{\"agent_id\":\"" + id + "\",\"type\":\"ping\"}",
                    false, reply, "", server.token());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (int i = 0; i < 100 && sim.stats().outstanding() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

struct Options {
    int agents, baseline_agents, wait_s, tasks, batches, connecting;
    double ramp_timeout_s;
};

// What one population of waiting agents costs and how fast its tasks arrive.
struct Population {
    double ramp_s = 0;
    long rss_kib = 0, threads = 0;
    long long server_waiting = 0;
    int polling = 0;
    long errors = 0;
    std::vector<double> wakeups_ms;
    size_t missed = 0;
    bool ready = false;
};

// Connects `agents` simulated agents (ids from first_id), waits until every one polls,
// samples the server, runs `between` (e.g. an upload while they wait), then measures wake-ups.
template <class Between>
Population run_population(const BenchServer& server, const Options& o, int agents, int first_id,
                          Between&& between) {
    Population p;
    const double t0 = vigil::bench::now_s();
    SimAgents sim(server.port(), server.identity(), agents, o.wait_s, o.connecting, first_id);
    p.ready = sim.wait_polling(agents, o.ramp_timeout_s);
    p.ramp_s = vigil::bench::now_s() - t0;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    p.rss_kib = vigil::bench::rss_kib(server.pid());
    p.threads = threads_of(server.pid());
    p.server_waiting = server.stat("waiting_agents");
    between();
    measure_wakeups(server, sim, first_id, agents, o.tasks);
    p.wakeups_ms = sim.stats().wakeups_ms();
    p.missed = static_cast<size_t>(o.tasks) - p.wakeups_ms.size();
    p.polling = sim.stats().polling.load();
    p.errors = sim.stats().errors.load();
    return p;
}

double p_of(std::vector<double> v, double pct) { return v.empty() ? -1 : vigil::bench::percentile(v, pct); }

}  // namespace

VIGIL_BENCH(central_agents, "central-agents",
            "N agents long-polling one real vigil-central over keep-alive mTLS: server RSS/threads, task "
            "wake-up p50/p99 (vs a small population in the same run), telemetry events/s while they wait") {
    const Options o{static_cast<int>(args.get_int("agents", 1000)),
                    static_cast<int>(args.get_int("baseline-agents", 100)),
                    static_cast<int>(args.get_int("wait", 60)),
                    static_cast<int>(args.get_int("tasks", 200)),
                    static_cast<int>(args.get_int("batches", 100)),
                    static_cast<int>(args.get_int("connecting", 64)),
                    static_cast<double>(args.get_int("ramp-timeout", 600))};
    raise_descriptor_limit(o.agents + o.baseline_agents);
    const std::string n = std::to_string((o.agents + o.baseline_agents) * 2 + 1000);
    BenchServer server("central_agents_bench",
                       "storage: {database: db/central.db, files_dir: db/files}\n"
                       "server: {max_connections: " +
                           n + ", max_connections_per_address: " + n +
                           ", max_handshakes_per_address: 1024}\n");
    bool upload_ok = true;
    auto first = batches(o.batches, 1);
    auto second = batches(o.batches, 1000000);
    {
        auto s = server.session();
        std::string reply;
        server.send(*s, "POST", "/api/v1/agent/sync",
                    std::string("{\"agent_id\":\"") + kAgent + "\",\"hostname\":\"b\"}", false, reply,
                    kAgent);
    }
    // Baselines in the same run: the upload with no agent connected, and the wake-ups of a
    // small population (other agent ids; it disconnects before the large one connects).
    const double idle_s = server.upload(first, 2, kAgent, upload_ok);
    const long rss_idle = vigil::bench::rss_kib(server.pid());
    const Population base = run_population(server, o, o.baseline_agents, 1000000, [] {});
    double busy_s = 0;
    long rss_after_upload = 0;
    const Population big = run_population(server, o, o.agents, 0, [&] {
        busy_s = server.upload(second, 2, kAgent, upload_ok);
        rss_after_upload = vigil::bench::rss_kib(server.pid());
    });
    const bool ok = upload_ok && base.ready && big.ready && base.missed == 0 && big.missed == 0;
    const double events = double(o.batches) * 1024;
    const double p99 = p_of(big.wakeups_ms, 99), base_p99 = p_of(base.wakeups_ms, 99);
    JsonLine()
        .kv("bench", "central-agents")
        .kv("server", std::getenv("VIGIL_CENTRAL_SERVER") ? std::getenv("VIGIL_CENTRAL_SERVER") : "asio")
        .kv("agents", static_cast<long long>(o.agents))
        .kv("agents_polling", static_cast<long long>(big.polling))
        .kv("server_waiting_agents", big.server_waiting)
        .kv("ramp_s", big.ramp_s)
        .kv("server_rss_idle_kib", static_cast<long long>(rss_idle))
        .kv("server_rss_kib", static_cast<long long>(big.rss_kib))
        .kv("server_rss_max_kib", static_cast<long long>(std::max(big.rss_kib, rss_after_upload)))
        .kv("rss_per_agent_kib", double(big.rss_kib - rss_idle) / o.agents)
        .kv("server_threads", static_cast<long long>(big.threads))
        .kv("wakeups", static_cast<long long>(big.wakeups_ms.size()))
        .kv("wakeups_missed", static_cast<long long>(big.missed))
        .kv("wakeup_p50_ms", p_of(big.wakeups_ms, 50))
        .kv("wakeup_p99_ms", p99)
        .kv("baseline_agents", static_cast<long long>(o.baseline_agents))
        .kv("baseline_server_rss_kib", static_cast<long long>(base.rss_kib))
        .kv("baseline_server_threads", static_cast<long long>(base.threads))
        .kv("baseline_wakeup_p50_ms", p_of(base.wakeups_ms, 50))
        .kv("baseline_wakeup_p99_ms", base_p99)
        .kv("wakeup_p99_ratio_vs_baseline", base_p99 > 0 ? p99 / base_p99 : -1)
        .kv("telemetry_events_per_s_idle", events / idle_s)
        .kv("telemetry_events_per_s_waiting", events / busy_s)
        .kv("telemetry_ratio_waiting_vs_idle", idle_s / busy_s)
        .kv("client_errors", static_cast<long long>(big.errors + base.errors))
        .kv("ok", ok)
        .print();
    return ok ? 0 : 1;
}
