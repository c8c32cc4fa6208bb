// vigil-bench central-agents: many agents long-polling one real vigil-central over
// keep-alive mTLS connections (simulated in this process, see sim_agents.hpp).
// Reports, once every agent waits: the server's RSS and threads (and RSS per agent above
// the idle server), task wake-up latency p50/p99 for tasks created through the operator
// API, and telemetry events/s uploaded while they all wait next to the same upload with no
// agent connected (measured first, in the same run).
// Options: --agents N (default 1000), --wait S (long-poll wait, default 60), --tasks N
// (wake-ups measured, default 200), --batches N (telemetry batches of 1024 events, default
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
using vigil::central::bench::kToken;
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

// Creates `tasks` ping tasks for random agents, one at a time at ~20/s, and waits (≤ 10 s
// after the last) for them to arrive.
void measure_wakeups(const BenchServer& server, SimAgents& sim, int agents, int tasks) {
    std::mt19937 rng(42);
    auto session = server.session();
    std::string reply;
    for (int i = 0; i < tasks; ++i) {
        const std::string id = SimAgents::agent_id(static_cast<int>(rng() % static_cast<unsigned>(agents)));
        sim.stats().expect(id, vigil::bench::now_s());
        server.send(*session, "POST", "/api/v1/tasks", "{\"agent_id\":\"" + id + "\",\"type\":\"ping\"}",
                    false, reply, "", kToken);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (int i = 0; i < 100 && sim.stats().outstanding() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

}  // namespace

VIGIL_BENCH(
    central_agents, "central-agents",
    "N agents long-polling one real vigil-central over keep-alive mTLS: server RSS/threads, task wake-up "
    "p50/p99, telemetry events/s while they wait") {
    const int agents = static_cast<int>(args.get_int("agents", 1000));
    const int wait_s = static_cast<int>(args.get_int("wait", 60));
    const int tasks = static_cast<int>(args.get_int("tasks", 200));
    const int nbatches = static_cast<int>(args.get_int("batches", 100));
    raise_descriptor_limit(agents);
    const std::string n = std::to_string(agents * 2 + 1000);
    BenchServer server("central_agents_bench",
                       "storage: {database: db/central.db, files_dir: db/files}\n"
                       "server: {max_connections: " +
                           n + ", max_connections_per_address: " + n +
                           ", max_handshakes_per_address: 1024}\n");
    bool ok = true;
    bool upload_ok = true;
    auto first = batches(nbatches, 1);
    auto second = batches(nbatches, 1000000);
    {
        auto s = server.session();
        std::string reply;
        server.send(*s, "POST", "/api/v1/agent/sync",
                    std::string("{\"agent_id\":\"") + kAgent + "\",\"hostname\":\"b\"}", false, reply,
                    kAgent);
    }
    const double idle_s = server.upload(first, 2, kAgent, upload_ok);
    ok &= upload_ok;
    const long rss_idle = vigil::bench::rss_kib(server.pid());

    const double t0 = vigil::bench::now_s();
    SimAgents sim(server.port(), server.certs(), agents, wait_s,
                  static_cast<int>(args.get_int("connecting", 64)));
    ok &= sim.wait_polling(agents, static_cast<double>(args.get_int("ramp-timeout", 600)));
    const double ramp_s = vigil::bench::now_s() - t0;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const long rss_waiting = vigil::bench::rss_kib(server.pid());
    const long threads = threads_of(server.pid());
    const long long waiting = server.stat("waiting_agents");

    const double busy_s = server.upload(second, 2, kAgent, upload_ok);
    ok &= upload_ok;
    const long rss_after_upload = vigil::bench::rss_kib(server.pid());
    measure_wakeups(server, sim, agents, tasks);
    auto lat = sim.stats().wakeups_ms();
    const size_t missed = static_cast<size_t>(tasks) - lat.size();
    ok &= missed == 0;
    const double events = double(nbatches) * 1024;
    JsonLine()
        .kv("bench", "central-agents")
        .kv("server", std::getenv("VIGIL_CENTRAL_SERVER") ? std::getenv("VIGIL_CENTRAL_SERVER") : "asio")
        .kv("agents", static_cast<long long>(agents))
        .kv("agents_polling", static_cast<long long>(sim.stats().polling.load()))
        .kv("server_waiting_agents", waiting)
        .kv("ramp_s", ramp_s)
        .kv("server_rss_idle_kib", static_cast<long long>(rss_idle))
        .kv("server_rss_kib", static_cast<long long>(rss_waiting))
        .kv("server_rss_max_kib", static_cast<long long>(std::max(rss_waiting, rss_after_upload)))
        .kv("rss_per_agent_kib", double(rss_waiting - rss_idle) / agents)
        .kv("server_threads", static_cast<long long>(threads))
        .kv("wakeups", static_cast<long long>(lat.size()))
        .kv("wakeups_missed", static_cast<long long>(missed))
        .kv("wakeup_p50_ms", lat.empty() ? -1 : vigil::bench::percentile(lat, 50))
        .kv("wakeup_p99_ms", lat.empty() ? -1 : vigil::bench::percentile(lat, 99))
        .kv("telemetry_events_per_s_idle", events / idle_s)
        .kv("telemetry_events_per_s_waiting", events / busy_s)
        .kv("telemetry_ratio_waiting_vs_idle", idle_s / busy_s)
        .kv("client_errors", static_cast<long long>(sim.stats().errors.load()))
        .kv("ok", ok)
        .print();
    return ok ? 0 : 1;
}
