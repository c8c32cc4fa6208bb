// vigil-bench central-https: telemetry upload to a real vigil-central process over mTLS on
// loopback (certificates from tools/gen-certs), keep-alive connections like kataedr's.
// Reports stored events/s and CPU seconds per 100,000 events for the server and the
// uploading client; compare with central-ingest (the same batches in process, no TLS/HTTP).
// Options: --batches N (default 200), --events N per batch (default 1024),
//          --uploaders N (default 2), --text-index 0|1 (default 1).
#include <string>
#include <vector>

#include "bench.hpp"
#include "bench_batches.hpp"
#include "bench_server.hpp"
#include "gzip.hpp"

using vigil::bench::JsonLine;
using vigil::central::bench::BenchServer;
using vigil::central::bench::kAgent;

VIGIL_BENCH(central_https, "central-https",
            "telemetry upload to a real vigil-central over mTLS on loopback: events/s, CPU s per 100k "
            "(server, client)") {
    const int batches = static_cast<int>(args.get_int("batches", 200));
    const int per_batch = static_cast<int>(args.get_int("events", 1024));
    const int uploaders = static_cast<int>(args.get_int("uploaders", 2));
    const bool text_index = args.get_int("text-index", 1) != 0;
    const uint64_t total = static_cast<uint64_t>(batches) * static_cast<uint64_t>(per_batch);

    std::vector<std::string> bodies;
    for (int b = 0; b < batches; ++b)
        bodies.push_back(vigil::central::gzip(vigil::central::bench::make_batch(b, per_batch)));
    // The agent's certificate comes from the server's agent CA (what enrollment would hand
    // out): the uploads are authenticated like an enrolled agent's.
    const BenchServer server("central_https_bench", std::string("storage: {database: db/central.db, "
                                                                "files_dir: db/files, text_index: ") +
                                                        (text_index ? "true" : "false") + "}\n");
    std::string reply;
    {
        auto s = server.session();
        server.send(*s, "POST", "/api/v1/agent/sync",
                    std::string("{\"agent_id\":\"") + kAgent + "\",\"hostname\":\"bench-host\"}", false, reply,
                    kAgent);
    }

    bool ok = true;
    const double server_cpu0 = vigil::bench::pid_cpu_s(server.pid());
    const double client_cpu0 = vigil::bench::self_cpu_s();
    const double seconds = server.upload(bodies, uploaders, kAgent, ok);
    const double server_cpu = vigil::bench::pid_cpu_s(server.pid()) - server_cpu0;
    const double client_cpu = vigil::bench::self_cpu_s() - client_cpu0;
    const long server_rss = vigil::bench::rss_kib(server.pid());

    // What the server actually stored (the number the end-to-end bench also reads).
    const long long rows = server.stat("events");
    if (rows != static_cast<long long>(total)) ok = false;

    JsonLine()
        .kv("bench", "central-https")
        .kv("transport", "https+mtls loopback, keep-alive")
        .kv("text_index", text_index)
        .kv("uploaders", static_cast<long long>(uploaders))
        .kv("events", static_cast<long long>(total))
        .kv("stored_rows", rows)
        .kv("ok", ok)
        .kv("events_per_s", double(total) / seconds)
        .kv("server_cpu_s_per_100k", server_cpu / double(total) * 1e5)
        .kv("client_cpu_s_per_100k", client_cpu / double(total) * 1e5)
        .kv("server_rss_kib", static_cast<long long>(server_rss))
        .print();
    return ok ? 0 : 1;
}
