// vigil-bench central-console: server time of the web console's heaviest pages at fleet size,
// through Api::handle without the network: the agents page (paged, searched, filtered) over
// --agents N (default 10000) and the event search over --events N (default 1000000) stored
// events, p50/p95 of --rounds R (default 30) requests each. Baseline in the same run: the
// unpaged agent list the CLI uses (every agent), and an event query for one agent. Each page
// line names its goal (agents pages 300 ms p95, event searches 1000 ms p95) and whether it is
// met; the first and last lines carry the machine's load average (the machine may be shared).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent_ca.hpp"
#include "api.hpp"
#include "auth_tokens.hpp"
#include "bench.hpp"
#include "sqlite_storage.hpp"
#include "time_spec.hpp"

namespace {

using namespace vigil::central;
using vigil::bench::JsonLine;

constexpr const char* kToken = "bench-console-token-0123456789abcdef";

struct Timing {
    double p50_ms = 0, p95_ms = 0;
    int status = 0;
    size_t bytes = 0;
};

Timing time_requests(Api& api, const std::string& path, std::map<std::string, std::string> query, int rounds) {
    std::vector<double> ms;
    Timing t;
    for (int i = 0; i < rounds; ++i) {
        Request r;
        r.method = "GET";
        r.path = path;
        r.query = query;
        r.headers["authorization"] = std::string("Bearer ") + kToken;
        const double t0 = vigil::bench::now_s();
        Response resp = api.handle(r);
        ms.push_back((vigil::bench::now_s() - t0) * 1000);
        t.status = resp.status;
        t.bytes = resp.body.size();
    }
    std::sort(ms.begin(), ms.end());
    t.p50_ms = ms[ms.size() / 2];
    t.p95_ms = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
    return t;
}

void fill(SqliteStorage& storage, long long agents, long long events) {
    const int64_t now = now_ns();
    for (long long i = 0; i < agents; ++i) {
        const std::string id = "agent-" + std::to_string(i);
        storage.upsert_agent(AgentRecord{id, "host-" + std::to_string(i) + ".example", "Debian 12", "6.1", "0.1.0",
                                         R"({"ips":["10.)" + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) +
                                             "." + std::to_string(i % 256) + R"("],"plugins":{"behavior":{"state":"running"}},)" +
                                             R"("isolation":{"isolated":)" + (i % 50 == 0 ? "true" : "false") + "}}",
                                         now - i * 1000000000ll, now - (i % 7200) * 1000000000ll});
        if (i % 100 == 7) storage.set_agent_labels(id, AgentLabels{{"rack-7"}, "bench", now, "bench"});
    }
    const long long per_batch = 5000;
    for (long long b = 0; b * per_batch < events; ++b) {
        std::vector<EventInput> batch;
        for (long long j = 0; j < per_batch && b * per_batch + j < events; ++j) {
            const long long n = b * per_batch + j;
            const std::string cmd = "/usr/bin/worker --job " + std::to_string(n) + (n % 1000 == 0 ? " needle" : "");
            batch.push_back(EventInput{"process", 1007, now - (events - n) * 3000000ll,
                                       R"({"type":"process","process":{"pid":)" + std::to_string(n % 30000) +
                                           R"(,"cmd_line":")" + cmd + "\"}}",
                                       cmd});
        }
        storage.store_batch("agent-" + std::to_string(b % std::max(agents, 1ll)), b + 1, now, batch);
    }
}

// The 1-minute load average and the number of processors, as the machine reports them.
std::string machine_load() {
    std::ifstream f("/proc/loadavg");
    std::string one, five, fifteen;
    f >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen + " (" + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cpus)";
}

void report(const char* page, const Timing& t, const Timing& baseline, double goal_ms) {
    JsonLine()
        .kv("bench", "central-console")
        .kv("page", page)
        .kv("goal_p95_ms", goal_ms)
        .kv("goal_met", t.p95_ms <= goal_ms && t.status == 200)
        .kv("status", static_cast<long long>(t.status))
        .kv("p50_ms", t.p50_ms)
        .kv("p95_ms", t.p95_ms)
        .kv("bytes", static_cast<long long>(t.bytes))
        .kv("ratio_p95_vs_baseline", t.p95_ms / std::max(baseline.p95_ms, 1e-6))
        .print();
}

}  // namespace

VIGIL_BENCH(central_console, "central-console",
            "web console pages at fleet size: agents page (10k agents) and event search (1M events), p50/p95") {
    const long long agents = args.get_int("agents", 10000), events = args.get_int("events", 1000000);
    const int rounds = static_cast<int>(args.get_int("rounds", 30));
    const std::string dir = (std::filesystem::temp_directory_path() / ("central_console_bench." + std::to_string(getpid()))).string();
    std::filesystem::create_directories(dir);
    int rc = 0;
    {
        SqliteStorage storage({dir + "/central.db", true});
        TaskBroker broker;
        FileStore files(dir + "/files");
        ApiSettings settings;
        settings.operators = {OperatorCredential{"bench", Role::viewer, token_hash(kToken)}};
        Api api(storage, broker, files, settings);
        const double t0 = vigil::bench::now_s();
        fill(storage, agents, events);
        JsonLine().kv("bench", "central-console").kv("agents", agents).kv("events", events)
            .kv("fill_s", vigil::bench::now_s() - t0).kv("load", machine_load()).print();
        constexpr double kAgentsGoal = 300, kEventsGoal = 1000;
        const Timing all = time_requests(api, "/api/v1/agents", {}, rounds);
        report("agents_unpaged_baseline", all, all, kAgentsGoal);
        auto agents_page = [&](const char* name, std::map<std::string, std::string> q) {
            report(name, time_requests(api, "/api/v1/agents", std::move(q), rounds), all, kAgentsGoal);
        };
        agents_page("agents_page", {{"offset", "0"}, {"limit", "50"}});
        agents_page("agents_last_page", {{"offset", std::to_string(std::max(agents - 50, 0ll))}, {"limit", "50"}});
        agents_page("agents_search", {{"q", "host-99"}, {"limit", "50"}});
        agents_page("agents_search_ip", {{"q", "10.0.7."}, {"limit", "50"}});
        agents_page("agents_filter_online", {{"state", "online"}, {"isolated", "false"}, {"limit", "50"}});
        agents_page("agents_filter_tag", {{"tag", "rack-7"}, {"limit", "50"}});
        const Timing one = time_requests(api, "/api/v1/events", {{"agent", "agent-1"}, {"since", "7d"}, {"limit", "200"}}, rounds);
        report("events_one_agent_baseline", one, one, kEventsGoal);
        auto events_page = [&](const char* name, std::map<std::string, std::string> q) {
            report(name, time_requests(api, "/api/v1/events", std::move(q), rounds), one, kEventsGoal);
        };
        events_page("events_last_hour", {{"since", "1h"}, {"limit", "200"}});
        events_page("events_text", {{"since", "7d"}, {"text", "needle"}, {"limit", "200"}});
        events_page("events_text_agent", {{"agent", "agent-7"}, {"text", "worker"}, {"limit", "200"}});
        events_page("events_type_range", {{"type", "process"}, {"since", "40m"}, {"until", "20m"}, {"limit", "200"}});
        JsonLine().kv("bench", "central-console").kv("load_after", machine_load()).print();
        if (all.status != 200) rc = 1;
    }
    std::filesystem::remove_all(dir);
    return rc;
}
