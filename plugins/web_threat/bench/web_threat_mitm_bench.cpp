#include "web_threat_mitm_bench.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <thread>

#include "bench.hpp"
#include "mitm_leaf.hpp"
#include "web_threat_bench_address.hpp"

namespace vigil::bench {

namespace {

using namespace vigil::web_threat;

sockaddr_in address(uint16_t port) { return bench_address(port); }

// "GET /<n> ..." -> 200 with n body bytes, keep-alive, over TLS.
void serve_tls(SSL_CTX* ctx, int fd) {
    // The handshake's flights and the session tickets go out as written: no
    // Nagle wait for the client's delayed ACK.
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SslPtr ssl(SSL_new(ctx));
    SSL_set_fd(ssl.get(), fd);
    std::string in;
    char buf[4096];
    const bool shook = SSL_accept(ssl.get()) == 1;
    while (shook) {
        const size_t end = in.find("\r\n\r\n");
        if (end == std::string::npos) {
            const int n = SSL_read(ssl.get(), buf, sizeof buf);
            if (n <= 0) break;
            in.append(buf, size_t(n));
            continue;
        }
        const unsigned long bytes = std::strtoul(in.c_str() + 5, nullptr, 10);
        in.erase(0, end + 4);
        const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(bytes) + "\r\n\r\n" +
                              std::string(bytes, 'x');
        if (SSL_write(ssl.get(), r.data(), int(r.size())) <= 0) break;
    }
    ::close(fd);
}

bool listen_tls(SSL_CTX* ctx, uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in a = address(port);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1024) != 0) return false;
    std::thread([ctx, fd] {
        for (;;) {
            const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) std::thread(serve_tls, ctx, c).detach();
        }
    }).detach();
    return true;
}

// A TLS client connection to ok.test on `port`, verified against `trust`.
SslPtr dial_tls(SSL_CTX* trust, uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const sockaddr_in a = address(port);
    SslPtr ssl(SSL_new(trust));
    SSL_set_fd(ssl.get(), fd);
    SSL_set_tlsext_host_name(ssl.get(), "ok.test");
    SSL_set1_host(ssl.get(), "ok.test");
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || SSL_connect(ssl.get()) != 1) {
        ::close(fd);
        return nullptr;
    }
    return ssl;
}

void close_tls(SslPtr& ssl) {
    if (!ssl) return;
    const int fd = SSL_get_fd(ssl.get());
    ssl.reset();
    ::close(fd);
}

bool tls_request(SSL* ssl) {
    static const std::string q = "GET /100 HTTP/1.1\r\nHost: ok.test\r\n\r\n";
    if (SSL_write(ssl, q.data(), int(q.size())) != int(q.size())) return false;
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos || got.size() < got.find("\r\n\r\n") + 4 + 100) {
        const int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) return false;
        got.append(buf, size_t(n));
    }
    return got.rfind("HTTP/1.1 200", 0) == 0;
}

SslCtxPtr client_trusting(const std::string& pem) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    X509Ptr ca = certificate_from_pem(pem);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca.get());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    return ctx;
}

void tls_round(SSL_CTX* trust, uint16_t port, int conns, int requests, TlsSamples& s) {
    for (int i = 0; i < conns; ++i) {
        const double t0 = now_s();
        SslPtr ssl = dial_tls(trust, port);
        if (!ssl || !tls_request(ssl.get())) ++s.errors;
        s.conn_ms.push_back((now_s() - t0) * 1000);
        close_tls(ssl);
    }
    SslPtr ssl = dial_tls(trust, port);
    if (!ssl) return void(++s.errors);
    for (int i = 0; i < requests; ++i) {
        const double t0 = now_s();
        if (!tls_request(ssl.get())) ++s.errors;
        s.req_ms.push_back((now_s() - t0) * 1000);
    }
    close_tls(ssl);
}

double pct(std::vector<double> v, double p) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

std::string samples_json(const TlsSamples& s) {
    char out[256];
    std::snprintf(out, sizeof out,
                  "{\"conn_p50_ms\":%.3f,\"conn_p99_ms\":%.3f,\"req_p50_ms\":%.3f,\"req_p99_ms\":%.3f,\"errors\":%d}",
                  pct(s.conn_ms, .5), pct(s.conn_ms, .99), pct(s.req_ms, .5), pct(s.req_ms, .99), s.errors);
    return out;
}

std::string g_origin_ca;  // the origin CA's PEM (the direct client's trust)

}  // namespace

MitmBench start_mitm_origin(const std::string& dir, uint16_t port, uint16_t direct_port) {
    MitmBench b;
    const CaPem vigil_ca = to_pem(generate_ca("Vigil bench", 2));
    b.ca_cert = vigil_ca.cert;
    b.ca_key = vigil_ca.key;
    const CaPem origin_ca = to_pem(generate_ca("Origin bench", 2));
    g_origin_ca = origin_ca.cert;
    b.origin_ca_file = dir + "/origin-ca.pem";
    std::ofstream(b.origin_ca_file) << origin_ca.cert;
    static LeafMinter minter(ca_from_pem(origin_ca, "origin CA"), 4);
    static X509Ptr leaf = minter.certificate("ok.test");
    static SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (SSL_CTX_use_certificate(ctx.get(), leaf.get()) != 1 || SSL_CTX_use_PrivateKey(ctx.get(), minter.key()) != 1 ||
        !listen_tls(ctx.get(), port) || !listen_tls(ctx.get(), direct_port))
        b.error = "the TLS origin did not start";
    return b;
}

void measure_mitm(const MitmBench& b, uint16_t port, uint16_t direct_port, int conns, int requests, int rounds,
                  TlsSamples& direct, TlsSamples& via) {
    const SslCtxPtr to_origin = client_trusting(g_origin_ca), to_worker = client_trusting(b.ca_cert);
    for (int r = 0; r < rounds; ++r) {
        tls_round(to_origin.get(), direct_port, conns / rounds, requests / rounds, direct);
        tls_round(to_worker.get(), port, conns / rounds, requests / rounds, via);
    }
}

std::string mitm_json(const TlsSamples& direct, const TlsSamples& via) {
    char added[384];
    // The worker's CPU per scanned connection: its time over the rounds
    // less what the keep-alive requests took (their count at the per-request
    // share is small; reported as an upper bound).
    std::snprintf(added, sizeof added,
                  ",\"added_conn_p50_ms\":%.3f,\"added_conn_p99_ms\":%.3f,\"added_req_p50_ms\":%.3f,"
                  "\"added_req_p99_ms\":%.3f,\"worker_cpu_s\":%.3f,\"worker_cpu_us_per_conn_max\":%.0f}",
                  pct(via.conn_ms, .5) - pct(direct.conn_ms, .5), pct(via.conn_ms, .99) - pct(direct.conn_ms, .99),
                  pct(via.req_ms, .5) - pct(direct.req_ms, .5), pct(via.req_ms, .99) - pct(direct.req_ms, .99),
                  via.cpu_s, via.conn_ms.empty() ? 0 : via.cpu_s * 1e6 / double(via.conn_ms.size()));
    return "{\"direct\":" + samples_json(direct) + ",\"worker\":" + samples_json(via) + added;
}

}  // namespace vigil::bench
