// vigil-bench web-threat-traffic [--conns N] [--requests N] [--mib N] [--domains N] [--rate-conns N]
//                               [--worker PATH] [--json]:
// traffic through the interception worker against the same traffic direct,
// in the same run. Root: the bench enters a private network namespace
// (10.9.0.2 on its loopback device, an origin server in this process on port 8080,
// which is monitored, and 9090, which is not), starts vigil-web-worker from
// the build with a list of N synthetic domains and its owned redirect
// table, then measures, alternating direct and intercepted rounds:
// new-connection latency (connect + one request + response), per-request
// latency on one keep-alive connection, single-stream throughput of one
// large response, the CPU time the worker used, and new connections per
// second with 4 clients in parallel (the worker's CPU time per connection
// gives the rate one core of it sustains). --worker runs another build of
// the worker (before/after comparisons in the same machine state). The same
// workload through Debian's Squid in intercept mode (port 8081) is the peer
// baseline when Squid is installed (web_threat_squid_peer.hpp). With the
// encrypted connections scan on, TLS to port 8443 is decrypted by the worker
// and measured against TLS direct to 9443 (web_threat_mitm_bench.hpp:
// --tls-conns, --tls-requests). DNS: the forwarder's added latency and
// queries per second against a resolver in the bench process asked directly
// (web_threat_dns_load.hpp: --dns-queries, --dns-rate).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench.hpp"
#include "web_threat_bench_address.hpp"
#include "web_threat_dns_load.hpp"
#include "web_threat_mitm_bench.hpp"
#include "web_threat_squid_peer.hpp"
#include "worker_config.hpp"
#include "worker_supervisor.hpp"

namespace {

using vigil::bench::now_s;

// 8080 goes through the worker, 8081 through Squid, 9090 direct.
constexpr uint16_t kMonitored = 8080, kSquidPort = 8081, kDirect = 9090, kTls = 8443, kTlsDirect = 9443;

// The origin: "GET /<bytes> ..." -> 200 with that many body bytes, keep-alive.
void serve_origin_conn(int fd) {
    static const std::string chunk(65536, 'x');
    const int one = 1;  // head and body go out as two sends: no Nagle wait between them
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string in;
    char buf[4096];
    for (;;) {
        const size_t end = in.find("\r\n\r\n");
        if (end == std::string::npos) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            in.append(buf, size_t(n));
            continue;
        }
        unsigned long long bytes = std::strtoull(in.c_str() + 5, nullptr, 10);
        in.erase(0, end + 4);
        std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(bytes) + "\r\n\r\n";
        if (::send(fd, head.data(), head.size(), MSG_NOSIGNAL) < 0) break;
        while (bytes > 0) {
            const size_t n = size_t(std::min<unsigned long long>(bytes, chunk.size()));
            const ssize_t w = ::send(fd, chunk.data(), n, MSG_NOSIGNAL);
            if (w <= 0) break;
            bytes -= size_t(w);
        }
    }
    ::close(fd);
}

sockaddr_in origin_address(uint16_t port) { return vigil::bench::bench_address(port); }

// A TCP socket with one boolean option switched on.
int tcp_socket(int level, int option) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd, level, option, &one, sizeof one);
    return fd;
}

int listen_on(uint16_t port) {
    const int fd = tcp_socket(SOL_SOCKET, SO_REUSEADDR);
    const sockaddr_in a = origin_address(port);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1024) != 0) return -1;
    std::thread([fd] {
        for (;;) {
            const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) std::thread(serve_origin_conn, c).detach();
        }
    }).detach();
    return fd;
}

int dial(uint16_t port) {
    const int fd = tcp_socket(IPPROTO_TCP, TCP_NODELAY);
    const sockaddr_in a = origin_address(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// One request of `bytes` on `fd`; false on error.
bool request(int fd, unsigned long long bytes) {
    const std::string q = "GET /" + std::to_string(bytes) + " HTTP/1.1\r\nHost: ok.test\r\n\r\n";
    if (::send(fd, q.data(), q.size(), MSG_NOSIGNAL) != ssize_t(q.size())) return false;
    std::string head;
    static thread_local std::vector<char> buf(1 << 20);
    unsigned long long body = 0;
    bool have_head = false;
    for (;;) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) return false;
        if (!have_head) {
            head.append(buf.data(), size_t(n));
            const size_t end = head.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            have_head = true;
            body = head.size() - end - 4;
        } else {
            body += size_t(n);
        }
        if (body >= bytes) return head.rfind("HTTP/1.1 200", 0) == 0;
    }
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

// New connections per second with clients in parallel.
struct Rate {
    double conns_per_s = 0;
    int errors = 0;
};

struct Samples {
    std::vector<double> conn_ms, req_ms;
    double mib_per_s = 0;
    int errors = 0;
    Rate rate;
};

void run_round(uint16_t port, int conns, int requests, int mib, Samples& s) {
    for (int i = 0; i < conns; ++i) {
        const double t0 = now_s();
        const int fd = dial(port);
        if (fd < 0 || !request(fd, 100)) ++s.errors;
        if (fd >= 0) ::close(fd);
        s.conn_ms.push_back((now_s() - t0) * 1000);
    }
    const int fd = dial(port);
    if (fd < 0) return void(++s.errors);
    for (int i = 0; i < requests; ++i) {
        const double t0 = now_s();
        if (!request(fd, 100)) ++s.errors;
        s.req_ms.push_back((now_s() - t0) * 1000);
    }
    const double t0 = now_s();
    if (!request(fd, (unsigned long long)mib << 20)) ++s.errors;
    s.mib_per_s = std::max(s.mib_per_s, double(mib) / (now_s() - t0));
    ::close(fd);
}

// `clients` threads each open, use once and close connections until
// `total` are done; the rate over the wall time.
Rate connection_rate(uint16_t port, int total, int clients) {
    std::atomic<int> next{0}, errors{0};
    const double t0 = now_s();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&] {
            while (next.fetch_add(1) < total) {
                const int fd = dial(port);
                if (fd < 0 || !request(fd, 100)) errors.fetch_add(1);
                if (fd >= 0) ::close(fd);
            }
        });
    for (auto& t : threads) t.join();
    return {double(total) / (now_s() - t0), errors.load()};
}

bool enter_namespace() {
    if (::unshare(CLONE_NEWNET) != 0) return false;
    // 10.9.0.2 on the loopback device: local, but not a 127/8 address the
    // redirect leaves alone.
    // Every connection through the worker leaves two sockets in TIME_WAIT
    // towards the same origin port (the client's and the worker's upstream);
    // the namespace's own port range and reuse keep thousands of connections
    // from measuring the ephemeral-port search instead of the worker.
    return std::system("ip link set lo up && ip addr add 10.9.0.2/32 dev lo && "
                       "sysctl -qw net.ipv4.ip_local_port_range='10000 65000' net.ipv4.tcp_tw_reuse=1") == 0;
}

// Starts the worker with a list of `domains` synthetic names; null when it
// did not report ready.
std::unique_ptr<vigil::web_threat::WorkerSupervisor> start_worker(const std::string& path, const std::string& dir,
                                                                  const vigil::bench::MitmBench& mitm) {
    vigil::web_threat::WorkerConfig c;
    c.settings_json = R"({"ports":[8080,8443],"dns":true,"worker_user":"64987","lists":[{"name":"bench","path":")" +
                      dir + R"(/domains.txt","format":"domains"}],"mitm":{"enabled":true,"upstream_ca_file":")" +
                      mitm.origin_ca_file + R"("}})";
    c.dns_upstreams = {"10.9.0.2:" + std::to_string(vigil::bench::kDnsUpstreamPort)};
    c.mitm_ca_cert = mitm.ca_cert;
    c.mitm_ca_key = mitm.ca_key;
    c.state_dir = dir;
    c.uid = c.gid = 64987;
    c.parent_pid = getpid();
    auto mu = std::make_shared<std::mutex>();
    auto cv = std::make_shared<std::condition_variable>();
    auto ready = std::make_shared<bool>(false);
    vigil::web_threat::WorkerSupervisor::Callbacks cb;
    cb.ready = [mu, cv, ready](const vigil::web_threat::WorkerState&) {
        std::lock_guard<std::mutex> g(*mu);
        *ready = true;
        cv->notify_all();
    };
    auto worker = std::make_unique<vigil::web_threat::WorkerSupervisor>(path, worker_config_json(c), cb);
    worker->start();
    std::unique_lock<std::mutex> g(*mu);
    if (!cv->wait_for(g, std::chrono::seconds(30), [&] { return *ready; })) {
        std::fprintf(stderr, "web-threat-traffic: the worker did not start: %s\n", worker->state().last_error.c_str());
        return nullptr;
    }
    return worker;
}

double added(const std::vector<double>& via, const std::vector<double>& direct, double p) {
    return percentile(via, p) - percentile(direct, p);
}

std::string side_json(const Samples& s) {
    char out[512];
    std::snprintf(out, sizeof out,
                  "{\"conn_p50_ms\":%.3f,\"conn_p99_ms\":%.3f,\"req_p50_ms\":%.3f,\"req_p99_ms\":%.3f,"
                  "\"mib_per_s\":%.1f,\"conns_per_s\":%.0f,\"errors\":%d",
                  percentile(s.conn_ms, .5), percentile(s.conn_ms, .99), percentile(s.req_ms, .5),
                  percentile(s.req_ms, .99), s.mib_per_s, s.rate.conns_per_s, s.errors + s.rate.errors);
    return out;
}

// A proxy's figures against direct: added latency, throughput ratio, and
// connections per CPU-second of the proxy in the parallel phase.
std::string added_json(const Samples& via, const Samples& direct, double rate_cpu_s, int rate_conns) {
    char out[512];
    std::snprintf(out, sizeof out,
                  "\"added_conn_p50_ms\":%.3f,\"added_conn_p99_ms\":%.3f,\"added_req_p50_ms\":%.3f,"
                  "\"added_req_p99_ms\":%.3f,\"throughput_ratio\":%.3f,\"cpu_us_per_conn\":%.1f,"
                  "\"conns_per_s_per_core\":%.0f",
                  added(via.conn_ms, direct.conn_ms, .5), added(via.conn_ms, direct.conn_ms, .99),
                  added(via.req_ms, direct.req_ms, .5), added(via.req_ms, direct.req_ms, .99),
                  direct.mib_per_s > 0 ? via.mib_per_s / direct.mib_per_s : 0, rate_cpu_s * 1e6 / rate_conns,
                  rate_cpu_s > 0 ? rate_conns / rate_cpu_s : 0);
    return out;
}

// One proxy measured against direct: its samples, its process, the CPU
// time it used in the sequential rounds and in the parallel phase.
struct Proxy {
    uint16_t port = 0;
    int pid = -1;
    Samples s;
    double cpu_s = 0, rate_cpu_s = 0;
    std::string error;  // not measured, and why
};

std::string proxy_json(const Proxy& p, const Samples& direct, int rate_conns) {
    if (!p.error.empty()) return "{\"error\":\"" + p.error + "\"}";
    char cpu[64];
    std::snprintf(cpu, sizeof cpu, ",\"cpu_s\":%.3f,", p.cpu_s);
    return side_json(p.s) + cpu + added_json(p.s, direct, p.rate_cpu_s, rate_conns) + "}";
}

// The worker's figures at the top level (as before), Squid's beside them.
void print_json(int domains, int mib, const Samples& direct, const Proxy& worker, const Proxy& squid, int rate_conns,
                const std::string& mitm, const std::string& dns) {
    double load = -1;
    std::ifstream("/proc/loadavg") >> load;
    std::printf("{\"scenario\":\"web-threat-traffic\",\"domains\":%d,\"connections\":%zu,\"requests\":%zu,"
                "\"mib\":%d,\"rate_conns\":%d,\"direct\":%s},\"worker\":%s,%s,\"squid\":%s,\"mitm\":%s,\"dns\":%s,"
                "\"load_avg\":%.2f}\n",
                domains, worker.s.conn_ms.size(), worker.s.req_ms.size(), mib, rate_conns, side_json(direct).c_str(),
                proxy_json(worker, direct, rate_conns).c_str(),
                added_json(worker.s, direct, worker.rate_cpu_s, rate_conns).c_str(),
                proxy_json(squid, direct, rate_conns).c_str(), mitm.c_str(), dns.c_str(), load);
}

// Sequential rounds alternating direct and each proxy, then the parallel
// phase for each; the proxies' CPU time is taken around their own parts.
void measure(int conns, int requests, int mib, int rate_conns, Samples& direct, std::vector<Proxy*> proxies) {
    const int rounds = 3;
    for (int r = 0; r < rounds; ++r) {
        run_round(kDirect, conns / rounds, requests / rounds, mib, direct);
        for (Proxy* p : proxies) {
            const double c0 = vigil::bench::pid_cpu_s(p->pid);
            run_round(p->port, conns / rounds, requests / rounds, mib, p->s);
            p->cpu_s += vigil::bench::pid_cpu_s(p->pid) - c0;
        }
    }
    direct.rate = connection_rate(kDirect, rate_conns, 4);
    for (Proxy* p : proxies) {
        const double c0 = vigil::bench::pid_cpu_s(p->pid);
        p->s.rate = connection_rate(p->port, rate_conns, 4);
        p->rate_cpu_s = vigil::bench::pid_cpu_s(p->pid) - c0;
    }
}

}  // namespace

VIGIL_BENCH(web_threat_traffic, "web-threat-traffic",
            "[--conns N] [--requests N] [--mib N] [--domains N] [--rate-conns N] [--tls-conns N] [--tls-requests N] "
            "[--dns-queries N] [--dns-rate N] [--worker PATH]: added latency and throughput through the web_threat worker (HTTP, DNS, and with the "
            "encrypted connections scan), and through Squid (intercept) as the peer baseline") {
    const int conns = int(args.get_int("conns", 500)), requests = int(args.get_int("requests", 2000)),
              mib = int(args.get_int("mib", 256)), domains = int(args.get_int("domains", 100000)),
              rate_conns = int(args.get_int("rate-conns", 4000)), tls_conns = int(args.get_int("tls-conns", 300)),
              tls_requests = int(args.get_int("tls-requests", 1000)), dns_queries = int(args.get_int("dns-queries", 3000)),
              dns_rate = int(args.get_int("dns-rate", 20000));
    const std::string worker_path = args.get("worker", std::string(VIGIL_BINARY_DIR) + "/libexec/vigil-web-worker");
    if (geteuid() != 0 || !enter_namespace()) {
        std::fprintf(stderr, "web-threat-traffic: needs root (a private network namespace)\n");
        return 77;
    }
    char dir[] = "/tmp/vigil-bench-wt.XXXXXX";
    if (!mkdtemp(dir)) return 1;
    {
        std::ofstream list(std::string(dir) + "/domains.txt");
        for (int i = 0; i < domains; ++i) list << "d" << i << ".blocked.example\n";
    }
    if (listen_on(kMonitored) < 0 || listen_on(kDirect) < 0 || listen_on(kSquidPort) < 0) return 1;
    if (!vigil::bench::start_dns_upstream()) return 1;
    const vigil::bench::MitmBench mitm = vigil::bench::start_mitm_origin(dir, kTls, kTlsDirect);
    if (!mitm.error.empty()) return 1;
    auto worker = start_worker(worker_path, dir, mitm);
    if (!worker) return 1;
    Proxy via{kMonitored, worker->state().pid}, squid{kSquidPort};
    vigil::bench::SquidPeer peer = vigil::bench::start_squid(dir, kSquidPort, [](uint16_t p) {
        const int fd = dial(p);
        if (fd >= 0) ::close(fd);
        return fd >= 0;
    });
    squid.pid = peer.pid;
    squid.error = peer.error;
    std::vector<Proxy*> proxies{&via};
    if (squid.error.empty()) proxies.push_back(&squid);
    Samples direct;
    measure(conns, requests, mib, rate_conns, direct, proxies);
    vigil::bench::TlsSamples tls_direct, tls_via;
    const double mitm_cpu0 = vigil::bench::pid_cpu_s(via.pid);
    vigil::bench::measure_mitm(mitm, kTls, kTlsDirect, tls_conns, tls_requests, 3, tls_direct, tls_via);
    tls_via.cpu_s = vigil::bench::pid_cpu_s(via.pid) - mitm_cpu0;
    const vigil::bench::DnsLoad dns = vigil::bench::measure_dns(dns_queries, dns_rate);
    worker->stop();
    vigil::bench::stop_squid(peer);
    std::system((std::string("rm -rf ") + dir).c_str());
    print_json(domains, mib, direct, via, squid, rate_conns, vigil::bench::mitm_json(tls_direct, tls_via),
               dns.json);
    const Samples& v = via.s;
    const int errors = v.errors + direct.errors + v.rate.errors + direct.rate.errors + tls_direct.errors + tls_via.errors;
    return errors || dns.errors ? 1 : 0;
}
