// vigil-bench central-console: server time of the web console's heaviest pages at fleet size,
// through Api::handle without the network: the agents page (paged, searched, filtered) over
// --agents N (default 10000) and the event search over --events N (default 1000000) stored
// events, p50/p95 of --rounds R (default 30) requests each. Baseline in the same run: the
// unpaged agent list the CLI uses (every agent), and an event query for one agent.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
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
                                             "." + std::to_string(i % 256) + R"("],"plugins":{}})",
                                         now - i * 1000000000ll, now - (i % 7200) * 1000000000ll});
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

void report(const char* page, const Timing& t, const Timing& baseline) {
    JsonLine()
        .kv("bench", "central-console")
        .kv("page", page)
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
            .kv("fill_s", vigil::bench::now_s() - t0).print();
        const Timing all = time_requests(api, "/api/v1/agents", {}, rounds);
        report("agents_unpaged_baseline", all, all);
        report("agents_page", time_requests(api, "/api/v1/agents", {{"offset", "0"}, {"limit", "50"}}, rounds), all);
        report("agents_last_page", time_requests(api, "/api/v1/agents", {{"offset", std::to_string(agents - 50)}, {"limit", "50"}}, rounds), all);
        report("agents_search", time_requests(api, "/api/v1/agents", {{"q", "host-99"}, {"limit", "50"}}, rounds), all);
        report("agents_filter_online", time_requests(api, "/api/v1/agents", {{"state", "online"}, {"isolated", "false"}, {"limit", "50"}}, rounds), all);
        const Timing one = time_requests(api, "/api/v1/events", {{"agent", "agent-1"}, {"since", "7d"}, {"limit", "200"}}, rounds);
        report("events_one_agent_baseline", one, one);
        report("events_last_hour", time_requests(api, "/api/v1/events", {{"since", "1h"}, {"limit", "200"}}, rounds), one);
        report("events_text", time_requests(api, "/api/v1/events", {{"since", "7d"}, {"text", "needle"}, {"limit", "200"}}, rounds), one);
        report("events_type_range", time_requests(api, "/api/v1/events", {{"type", "process"}, {"since", "2h"}, {"until", "1h"}, {"limit", "200"}}, rounds), one);
        if (all.status != 200) rc = 1;
    }
    std::filesystem::remove_all(dir);
    return rc;
}
