#include "web_threat_dns_load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "bench.hpp"
#include "web_threat_bench_address.hpp"

namespace vigil::bench {

namespace {

// "q<n>.bench.example" A IN, with id `id`.
std::string query(uint16_t id, unsigned n) {
    std::string m = {char(id >> 8), char(id & 0xff), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    const std::string label = "q" + std::to_string(n);
    m += char(label.size()) + label + "\x05" "bench" "\x07" "example";
    m += std::string("\0\0\1\0\1", 5);
    return m;
}

// The query turned into its answer: QR set, one A record 10.9.0.9.
std::string answer(const char* q, size_t n) {
    std::string a(q, n);
    a[2] = char(0x81);
    a[3] = char(0x80);
    a[7] = 1;
    a += std::string("\xc0\x0c\0\1\0\1\0\0\0\x3c\0\4\x0a\x09\0\x09", 16);
    return a;
}

// One query and its answer on a fresh socket (a new source port each
// time, as a stub resolver does); milliseconds, or -1 without an answer.
double ask(uint16_t port, uint16_t id, unsigned n) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const sockaddr_in a = bench_address(port);
    const std::string q = query(id, n);
    const double t0 = now_s();
    double ms = -1;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0 && ::send(fd, q.data(), q.size(), 0) > 0) {
        pollfd p{fd, POLLIN, 0};
        char buf[512];
        if (::poll(&p, 1, 2000) > 0 && ::recv(fd, buf, sizeof buf, 0) > 12 && std::memcmp(buf, q.data(), 2) == 0)
            ms = (now_s() - t0) * 1000;
    }
    ::close(fd);
    return ms;
}

// bench.hpp's percentile sorts in place and takes 0..100.
double pct(std::vector<double> v, double p) { return percentile(v, p * 100); }

struct Side {
    std::vector<double> ms;
    double qps = 0;
    int errors = 0;
};

void sequential(uint16_t port, int n, Side& s) {
    for (int i = 0; i < n; ++i) {
        const double ms = ask(port, uint16_t(i * 7919), unsigned(i));
        if (ms < 0) ++s.errors;
        else s.ms.push_back(ms);
    }
}

void parallel(uint16_t port, int total, Side& s) {
    std::atomic<int> next{0}, errors{0};
    const double t0 = now_s();
    std::vector<std::thread> clients;
    for (int c = 0; c < 16; ++c)
        clients.emplace_back([&] {
            for (int i; (i = next.fetch_add(1)) < total;)
                if (ask(port, uint16_t(i), unsigned(i)) < 0) errors.fetch_add(1);
        });
    for (auto& t : clients) t.join();
    s.qps = double(total) / (now_s() - t0);
    s.errors += errors.load();
}

std::string side_json(const Side& s) {
    char out[160];
    std::snprintf(out, sizeof out, "{\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"queries_per_s\":%.0f,\"errors\":%d}",
                  pct(s.ms, .5), pct(s.ms, .99), s.qps, s.errors);
    return out;
}

}  // namespace

bool start_dns_upstream() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const sockaddr_in a = bench_address(kDnsUpstreamPort);
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return false;
    std::thread([fd] {
        char buf[512];
        for (;;) {
            sockaddr_storage from{};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n < 12) continue;
            const std::string r = answer(buf, size_t(n));
            ::sendto(fd, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
    }).detach();
    return true;
}

DnsLoad measure_dns(int queries, int rate_queries) {
    Side direct, via;
    for (int r = 0; r < 3; ++r) {
        sequential(kDnsUpstreamPort, queries / 3, direct);
        sequential(53, queries / 3, via);
    }
    parallel(kDnsUpstreamPort, rate_queries, direct);
    parallel(53, rate_queries, via);
    char added[200];
    std::snprintf(added, sizeof added, "\"added_p50_ms\":%.3f,\"added_p99_ms\":%.3f,\"qps_ratio\":%.3f",
                  pct(via.ms, .5) - pct(direct.ms, .5), pct(via.ms, .99) - pct(direct.ms, .99),
                  direct.qps > 0 ? via.qps / direct.qps : 0);
    return {"{\"direct\":" + side_json(direct) + ",\"worker\":" + side_json(via) + "," + added + "}",
            direct.errors + via.errors};
}

}  // namespace vigil::bench
