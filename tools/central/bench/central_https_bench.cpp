// vigil-bench central-https: telemetry upload to a real vigil-central process over mTLS on
// loopback (certificates from tools/gen-certs), keep-alive connections like kataedr's.
// Reports stored events/s and CPU seconds per 100,000 events for the server and the
// uploading client; compare with central-ingest (the same batches in process, no TLS/HTTP).
// Options: --batches N (default 200), --events N per batch (default 1024),
//          --uploaders N (default 2), --text-index 0|1 (default 1),
//          --storage sqlite|postgresql (default sqlite). postgresql runs SQLite first as the
//          baseline, then a node on a private PostgreSQL cluster (tests/pg_cluster.hpp, fsync
//          off) with the same batches, and reports the database server's CPU too;
//          --nodes 2 then also two nodes on one new database, each sent half of the batches
//          over half of the uploaders (at least one each), at the same time.
#include <dirent.h>

#include <algorithm>

#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "bench.hpp"
#include "bench_batches.hpp"
#include "bench_server.hpp"
#include "gzip.hpp"
#include "pg_cluster.hpp"

using vigil::bench::JsonLine;
using vigil::central::bench::BenchServer;
using vigil::central::bench::kAgent;

namespace {

struct Run {
    double events_per_s = 0;
    double server_cpu_s = 0;
    double db_cpu_s = 0;  // the PostgreSQL server's processes (0 for SQLite: in the node)
    double client_cpu_s = 0;
    long long rows = 0;
    long server_rss = 0;
    bool ok = true;
};

// CPU seconds of `pid`, of its children it reaped, and of its children still running (the
// PostgreSQL server: its backends are children of the postmaster).
double tree_cpu_s(int pid) {
    auto fields = [](const std::string& path) {
        std::ifstream in(path);
        std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<std::string> f;
        auto rp = s.rfind(')');
        if (rp == std::string::npos) return f;
        std::string cur;
        for (size_t i = rp + 2; i <= s.size(); ++i) {
            if (i == s.size() || s[i] == ' ') {
                f.push_back(cur);
                cur.clear();
            } else {
                cur.push_back(s[i]);
            }
        }
        return f;
    };
    const double tick = double(sysconf(_SC_CLK_TCK));
    auto own = fields("/proc/" + std::to_string(pid) + "/stat");  // f[1] ppid, f[11..14] utime stime cutime cstime
    if (own.size() < 15) return 0;
    double total = (std::stod(own[11]) + std::stod(own[12]) + std::stod(own[13]) + std::stod(own[14])) / tick;
    if (DIR* d = opendir("/proc")) {
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;  // processes only (/proc/net/stat is a directory)
            auto f = fields(std::string("/proc/") + e->d_name + "/stat");
            if (f.size() >= 15 && f[1] == std::to_string(pid)) total += (std::stod(f[11]) + std::stod(f[12])) / tick;
        }
        closedir(d);
    }
    return total;
}

Run run(const std::string& name, const std::string& storage_yaml, const std::vector<std::string>& bodies,
        int uploaders, uint64_t total, int db_pid) {
    const BenchServer server(name, storage_yaml);
    std::string reply;
    {
        auto s = server.session();
        server.send(*s, "POST", "/api/v1/agent/sync",
                    std::string("{\"agent_id\":\"") + kAgent + "\",\"hostname\":\"bench-host\"}", false, reply,
                    kAgent);
    }
    Run r;
    const double server_cpu0 = vigil::bench::pid_cpu_s(server.pid());
    const double db_cpu0 = db_pid > 0 ? tree_cpu_s(db_pid) : 0;
    const double client_cpu0 = vigil::bench::self_cpu_s();
    const double seconds = server.upload(bodies, uploaders, kAgent, r.ok);
    r.server_cpu_s = vigil::bench::pid_cpu_s(server.pid()) - server_cpu0;
    r.db_cpu_s = db_pid > 0 ? tree_cpu_s(db_pid) - db_cpu0 : 0;
    r.client_cpu_s = vigil::bench::self_cpu_s() - client_cpu0;
    r.server_rss = vigil::bench::rss_kib(server.pid());
    r.events_per_s = double(total) / seconds;
    // What the server actually stored (the number the end-to-end bench also reads).
    r.rows = server.stat("events");
    if (r.rows != static_cast<long long>(total)) r.ok = false;
    return r;
}

// Two nodes on one PostgreSQL database (sharing the first one's agent CA), each uploading
// half of the batches at the same time; CPU and RSS are the two nodes' sum and maximum.
Run run_two_nodes(const std::string& storage_yaml, const std::vector<std::string>& bodies, int uploaders,
                  uint64_t total, int db_pid) {
    const BenchServer a("central_https_bench_pg_a", storage_yaml);
    const BenchServer b("central_https_bench_pg_b", storage_yaml, a.agent_ca_dir());
    {
        std::string reply;
        auto s = a.session();  // the agent announces itself (in the shared database) once
        a.send(*s, "POST", "/api/v1/agent/sync", std::string("{\"agent_id\":\"") + kAgent + "\",\"hostname\":\"bench-host\"}",
               false, reply, kAgent);
    }
    std::vector<std::string> half[2];
    for (size_t i = 0; i < bodies.size(); ++i) half[i % 2].push_back(bodies[i]);
    Run r;
    const double cpu0 = vigil::bench::pid_cpu_s(a.pid()) + vigil::bench::pid_cpu_s(b.pid());
    const double db_cpu0 = tree_cpu_s(db_pid);
    const double client_cpu0 = vigil::bench::self_cpu_s();
    const int each = std::max(1, uploaders / 2);
    bool ok[2] = {true, true};
    double seconds[2] = {0, 0};
    std::thread tb([&] { seconds[1] = b.upload(half[1], each, kAgent, ok[1]); });
    seconds[0] = a.upload(half[0], each, kAgent, ok[0]);
    tb.join();
    r.server_cpu_s = vigil::bench::pid_cpu_s(a.pid()) + vigil::bench::pid_cpu_s(b.pid()) - cpu0;
    r.db_cpu_s = tree_cpu_s(db_pid) - db_cpu0;
    r.client_cpu_s = vigil::bench::self_cpu_s() - client_cpu0;
    r.server_rss = std::max(vigil::bench::rss_kib(a.pid()), vigil::bench::rss_kib(b.pid()));
    r.events_per_s = double(total) / std::max(seconds[0], seconds[1]);
    r.rows = b.stat("events");
    r.ok = ok[0] && ok[1] && r.rows == static_cast<long long>(total);
    return r;
}

void print(const Run& r, const std::string& storage, bool text_index, int uploaders, uint64_t total,
           const Run* baseline, int nodes = 1) {
    JsonLine line;
    line.kv("bench", "central-https")
        .kv("transport", "https+mtls loopback, keep-alive")
        .kv("storage", storage)
        .kv("nodes", static_cast<long long>(nodes))
        .kv("text_index", text_index)
        .kv("uploaders", static_cast<long long>(uploaders))
        .kv("events", static_cast<long long>(total))
        .kv("stored_rows", r.rows)
        .kv("ok", r.ok)
        .kv("events_per_s", r.events_per_s)
        .kv("server_cpu_s_per_100k", r.server_cpu_s / double(total) * 1e5);
    if (storage == "postgresql") line.kv("postgres_cpu_s_per_100k", r.db_cpu_s / double(total) * 1e5);
    line.kv("client_cpu_s_per_100k", r.client_cpu_s / double(total) * 1e5)
        .kv("server_rss_kib", static_cast<long long>(r.server_rss));
    if (baseline) line.kv("events_per_s_vs_sqlite", r.events_per_s / baseline->events_per_s);
    line.print();
}

}  // namespace

VIGIL_BENCH(central_https, "central-https",
            "telemetry upload to a real vigil-central over mTLS on loopback: events/s, CPU s per 100k "
            "(server, client); --storage postgresql adds a PostgreSQL node next to SQLite") {
    const int batches = static_cast<int>(args.get_int("batches", 200));
    const int per_batch = static_cast<int>(args.get_int("events", 1024));
    const int uploaders = static_cast<int>(args.get_int("uploaders", 2));
    const bool text_index = args.get_int("text-index", 1) != 0;
    const std::string storage = args.get("storage", "sqlite");
    if (storage != "sqlite" && storage != "postgresql") {
        std::fprintf(stderr, "central-https: --storage must be sqlite or postgresql\n");
        return 2;
    }
    const int nodes = static_cast<int>(args.get_int("nodes", 1));
    if (nodes != 1 && (nodes != 2 || storage != "postgresql")) {
        std::fprintf(stderr, "central-https: --nodes must be 1, or 2 with --storage postgresql\n");
        return 2;
    }
    const uint64_t total = static_cast<uint64_t>(batches) * static_cast<uint64_t>(per_batch);

    std::vector<std::string> bodies;
    for (int b = 0; b < batches; ++b)
        bodies.push_back(vigil::central::gzip(vigil::central::bench::make_batch(b, per_batch)));
    // The agent's certificate comes from the server's agent CA (what enrollment would hand
    // out): the uploads are authenticated like an enrolled agent's.
    const Run sqlite = run("central_https_bench", std::string("storage: {database: db/central.db, files_dir: db/files, "
                                                              "text_index: ") +
                                                      (text_index ? "true" : "false") + "}\n",
                           bodies, uploaders, total, 0);
    print(sqlite, "sqlite", text_index, uploaders, total, nullptr);
    if (storage == "sqlite") return sqlite.ok ? 0 : 1;

    std::string why;
    central_test::PgCluster* cluster = central_test::PgCluster::shared(why);
    if (!cluster) {
        std::fprintf(stderr, "central-https: no PostgreSQL cluster: %s\n", why.c_str());
        return 1;
    }
    const Run pg = run("central_https_bench_pg",
                       "storage: {engine: postgresql, url: '" + cluster->create_database() + "', files_dir: db/files}\n",
                       bodies, uploaders, total, cluster->server_pid());
    print(pg, "postgresql", false, uploaders, total, &sqlite);
    if (nodes == 1) return sqlite.ok && pg.ok ? 0 : 1;
    const Run two = run_two_nodes(
        "storage: {engine: postgresql, url: '" + cluster->create_database() + "', files_dir: db/files}\n", bodies,
        uploaders, total, cluster->server_pid());
    print(two, "postgresql", false, uploaders, total, &sqlite, 2);
    return sqlite.ok && pg.ok && two.ok ? 0 : 1;
}
