// vigil-bench central-ingest: the central node's telemetry path without the network —
// gunzip + JSON parsing + validation (baseline) and then storage into SQLite, with and
// without the text index, from 1 and 2 concurrent uploaders (the server handles
// connections in parallel; only the SQLite write is serialized).
// Options: --batches N (default 100), --events N per batch (default 1024), --cache-mib N
// (SQLite page cache per connection, default 16 as storage.cache_mib).
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "agent_ca.hpp"
#include "api.hpp"
#include "bench.hpp"
#include "bench_batches.hpp"
#include "gzip.hpp"
#include "sqlite_storage.hpp"
#include "telemetry.hpp"

namespace {

using namespace vigil::central;
using vigil::bench::JsonLine;
using vigil::central::bench::kAgent;
using vigil::central::bench::make_batch;

double thread_cpu_s() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Run {
    double seconds = 0;
    double cpu_s = 0;
    uint64_t stored = 0;
};

// Uploads every body through Api::handle from `threads` threads (batch i from thread i % threads).
Run ingest(const std::vector<std::string>& bodies, bool text_index, int threads, int cache_mib,
           const std::string& dir) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    SqliteStorage storage({dir + "/central.db", text_index, 10000, cache_mib});
    TaskBroker broker;
    FileStore files(dir + "/files");
    auto ca = AgentCa::load_or_create(dir + "/agent-ca");
    RevocationList revoked;
    Api api(storage, broker, files, ApiSettings{}, AgentTrust{ca.get(), &revoked});
    storage.upsert_agent(AgentRecord{kAgent, "bench-host", "linux", "6.1", "0.1.0", "{}", 1, 1});
    std::atomic<bool> ok{true};
    double cpu0 = vigil::bench::self_cpu_s();
    double t0 = vigil::bench::now_s();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (size_t i = static_cast<size_t>(t); i < bodies.size(); i += static_cast<size_t>(threads)) {
                Request r;
                r.method = "POST";
                r.path = "/api/v1/agent/telemetry";
                r.headers = {{"content-type", "application/json"}, {"content-encoding", "gzip"}};
                r.peer = PeerIdentity{"127.0.0.1", true, true, kAgent, "01", INT64_MAX};  // as the TLS layer reports it
                r.body = bodies[i];
                if (api.handle(r).status != 200) ok = false;
            }
        });
    }
    for (auto& w : workers) w.join();
    Run run;
    run.seconds = vigil::bench::now_s() - t0;
    run.cpu_s = vigil::bench::self_cpu_s() - cpu0;
    run.stored = ok ? storage.stats().events : 0;
    return run;
}

}  // namespace

VIGIL_BENCH(
    central_ingest, "central-ingest",
    "vigil-central telemetry ingestion in process: parse baseline, SQLite storage with/without text index") {
    const int batches = static_cast<int>(args.get_int("batches", 100));
    const int per_batch = static_cast<int>(args.get_int("events", 1024));
    const int cache_mib = static_cast<int>(args.get_int("cache-mib", 16));
    const uint64_t total = static_cast<uint64_t>(batches) * static_cast<uint64_t>(per_batch);
    std::vector<std::string> bodies;
    size_t plain_bytes = 0, gz_bytes = 0;
    for (int b = 0; b < batches; ++b) {
        std::string plain = make_batch(b, per_batch);
        plain_bytes += plain.size();
        bodies.push_back(gzip(plain));
        gz_bytes += bodies.back().size();
    }
    const std::string dir =
        (std::filesystem::temp_directory_path() / ("central_bench." + std::to_string(getpid()))).string();

    // Baseline: what every upload costs before storage (gunzip + parse + validate).
    double c0 = thread_cpu_s(), t0 = vigil::bench::now_s();
    uint64_t parsed = 0;
    for (const auto& body : bodies)
        parsed += parse_gzip_batch(body, 1ull << 30, kAgent, BatchLimits{}).events.size();
    double parse_s = vigil::bench::now_s() - t0, parse_cpu = thread_cpu_s() - c0;
    JsonLine()
        .kv("bench", "central-ingest")
        .kv("scenario", "parse_only")
        .kv("events", static_cast<long long>(parsed))
        .kv("events_per_s", double(parsed) / parse_s)
        .kv("cpu_s_per_100k", parse_cpu / double(parsed) * 1e5)
        .kv("bytes_per_event", double(plain_bytes) / double(total))
        .kv("gzip_ratio", double(plain_bytes) / double(gz_bytes))
        .print();

    int rc = 0;
    for (bool text_index : {false, true}) {
        for (int threads : {1, 2}) {
            Run r = ingest(bodies, text_index, threads, cache_mib, dir);
            if (r.stored != total) rc = 1;
            JsonLine()
                .kv("bench", "central-ingest")
                .kv("scenario", std::string("store_") + (text_index ? "text_index" : "no_text_index"))
                .kv("threads", static_cast<long long>(threads))
                .kv("cache_mib", static_cast<long long>(cache_mib))
                .kv("events", static_cast<long long>(r.stored))
                .kv("events_per_s", double(total) / r.seconds)
                .kv("cpu_s_per_100k", r.cpu_s / double(total) * 1e5)
                .kv("ratio_vs_parse_only_cpu", (r.cpu_s / double(total)) / (parse_cpu / double(parsed)))
                .print();
        }
    }
    std::filesystem::remove_all(dir);
    return rc;
}
