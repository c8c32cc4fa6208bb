// The encrypted connections scan's pieces below the event loop: the
// exclusions (built-in, settings, run time with a TTL) and the TLS ends on
// memory BIOs (a handshake and data over a socket pair, the site's
// certificate checked against the CA, a client that refuses it).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "mitm_context.hpp"
#include "mitm_exclusions.hpp"
#include "mitm_tls.hpp"

using namespace vigil::web_threat;

TEST_CASE("mitm exclusions: names, names below, the run-time list with its TTL; bad names refused") {
    MitmExclusions ex({"exact.test", "*.below.test", "Upper.Test."}, 3600);
    CHECK(ex.excluded("exact.test"));
    CHECK_FALSE(ex.excluded("www.exact.test"));
    CHECK(ex.excluded("below.test"));
    CHECK(ex.excluded("a.b.below.test"));
    CHECK_FALSE(ex.excluded("notbelow.test"));
    CHECK(ex.excluded("upper.test"));
    CHECK_FALSE(ex.excluded("pinned.test"));
    CHECK(ex.add("pinned.test"));
    CHECK_FALSE(ex.add("pinned.test"));
    CHECK(ex.excluded("pinned.test"));
    CHECK_FALSE(ex.excluded("www.pinned.test"));
    CHECK(ex.runtime_size() == 1);
    CHECK_THROWS_WITH_AS(MitmExclusions({"bad name.test"}, 60), doctest::Contains("mitm.excluded_domains: 'bad name.test'"),
                         std::runtime_error);
    MitmExclusions builtin(builtin_mitm_exclusions(), 60);
    CHECK(builtin.excluded("deb.debian.org"));
    CHECK(builtin.excluded("ts01-b.cloudsink.net"));

    CHECK(host_of_url("https://central.example:8443/path") == "central.example");
    CHECK(host_of_url("https://[2001:db8::1]:443") == "2001:db8::1");
    CHECK(host_of_url("http://user:pw@proxy.example:3128") == "proxy.example");
    CHECK(host_of_url("proxy.example:3128") == "proxy.example");
    CHECK(host_of_url("").empty());
}

namespace {

struct Pair {
    int fd[2] = {-1, -1};
    Side server, client;
    Pair() {
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd) == 0);
        server.fd = fd[0];
        client.fd = fd[1];
    }
    ~Pair() {
        ::close(fd[0]);
        ::close(fd[1]);
    }
    // Both sockets ready again (what epoll would say after moving bytes).
    void ready() { server.in = server.out = client.in = client.out = true; }
};

// The worker's side towards a client: a certificate minted for `host`.
void serve_as(MitmContext& m, TlsEnd& server, const std::string& host) {
    const X509Ptr leaf = m.leaves().certificate(host);
    REQUIRE(SSL_use_certificate(server.ssl(), leaf.get()) == 1);
    REQUIRE(SSL_use_PrivateKey(server.ssl(), m.leaves().key()) == 1);
}

// Runs both handshakes until each is done or failed (at most 50 rounds).
std::pair<TlsEnd::Step, TlsEnd::Step> shake(Pair& p, TlsEnd& server, TlsEnd& client) {
    std::vector<char> scratch(16384);
    TlsEnd::Step s = TlsEnd::Step::again, c = TlsEnd::Step::again;
    for (int i = 0; i < 50 && (s == TlsEnd::Step::again || c == TlsEnd::Step::again); ++i) {
        p.ready();
        if (c == TlsEnd::Step::again) c = client.handshake();
        client.flush();
        server.fill(scratch, 1 << 20);
        if (s == TlsEnd::Step::again) s = server.handshake();
        server.flush();
        client.fill(scratch, 1 << 20);
    }
    return {s, c};
}

}  // namespace

TEST_CASE("mitm TLS ends: a handshake under a minted certificate, then data both ways") {
    MitmSettings settings;
    MitmContext m(generate_ca("Test", 30), settings, {});
    X509* ca = m.leaves().ca();
    Pair p;
    TlsEnd server(m.towards_client(), p.server, true);
    serve_as(m, server, "a.test");

    // A client that trusts the CA (as a browser with the CA installed).
    SslCtxPtr cctx(SSL_CTX_new(TLS_client_method()));
    X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx.get()), ca);
    SSL_CTX_set_verify(cctx.get(), SSL_VERIFY_PEER, nullptr);
    TlsEnd client(cctx.get(), p.client, false);
    SSL_set_tlsext_host_name(client.ssl(), "a.test");
    SSL_set1_host(client.ssl(), "a.test");
    const auto [s, c] = shake(p, server, client);
    REQUIRE(s == TlsEnd::Step::done);
    REQUIRE(c == TlsEnd::Step::done);
    CHECK(SSL_get_verify_result(client.ssl()) == X509_V_OK);

    std::vector<char> scratch(16384);
    CHECK(client.write("GET / HTTP/1.1\r\n\r\n"));
    client.flush();
    std::string got;
    for (int i = 0; i < 10 && got.size() < 18; ++i) {
        p.ready();
        server.fill(scratch, 1 << 20);
        server.read(got, scratch, 1 << 20);
    }
    CHECK(got == "GET / HTTP/1.1\r\n\r\n");
    // A close_notify ends the direction cleanly.
    client.close_notify();
    client.flush();
    p.ready();
    server.fill(scratch, 1 << 20);
    std::string rest;
    CHECK(server.read(rest, scratch, 1 << 20) == TlsEnd::Step::done);
    CHECK(server.closed());
}

TEST_CASE("mitm TLS ends: a client without the CA refuses; the server side sees why") {
    MitmSettings settings;
    MitmContext m(generate_ca("Test", 30), settings, builtin_mitm_exclusions());
    Pair p;
    TlsEnd server(m.towards_client(), p.server, true);
    serve_as(m, server, "a.test");
    SslCtxPtr cctx(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_verify(cctx.get(), SSL_VERIFY_PEER, nullptr);  // an empty trust store
    TlsEnd client(cctx.get(), p.client, false);
    const auto [s, c] = shake(p, server, client);
    CHECK(c == TlsEnd::Step::failed);
    CHECK(s == TlsEnd::Step::failed);
    CHECK(server.why().find("unknown ca") != std::string::npos);
    CHECK(m.scans("a.test"));
    CHECK_FALSE(m.scans("10.0.0.1"));
    CHECK_FALSE(m.scans(""));
    CHECK_FALSE(m.scans("deb.debian.org"));
}
