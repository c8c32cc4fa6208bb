// DNS over TCP through an event loop on loopback: pipelined length-prefixed
// queries, a listed name answered by the worker (never sent upstream), the
// others forwarded to the upstream resolver over TCP and their answers
// relayed; a refused upstream gives way to the next, over IPv6 too.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "dns_message.hpp"
#include "test_policy.hpp"
#include "dns_tcp.hpp"
#include "event_loop.hpp"
#include "list_parser.hpp"
#include "tcp_server.hpp"

using namespace vigil::web_threat;

namespace {

uint16_t local_port(int fd) { return local_endpoint(fd)->port; }


// The upstream: answers every query with its own bytes, QR set and ANCOUNT
// 0, and counts the queries it saw.
struct Upstream {
    int fd;
    std::atomic<int> queries{0};
    std::thread thread;
    explicit Upstream(const char* address) : fd(listen_tcp(address, 0)) {
        thread = std::thread([this] {
            pollfd p{fd, POLLIN, 0};
            while (::poll(&p, 1, -1) > 0) {
                const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (c < 0) return;
                std::thread([this, c] { answer(c); }).detach();
            }
        });
    }
    void answer(int c) {
        std::string in;
        char buf[4096];
        for (ssize_t n; (n = ::recv(c, buf, sizeof buf, 0)) > 0;) {
            in.append(buf, size_t(n));
            std::string_view msg;
            while (const size_t took = dns_tcp_frame(in, msg)) {
                std::string reply(msg);
                reply[2] = char(reply[2] | 0x80);
                queries.fetch_add(1);
                const std::string framed = dns_tcp_framed(reply);
                (void)::send(c, framed.data(), framed.size(), MSG_NOSIGNAL);
                in.erase(0, took);
            }
        }
        ::close(c);
    }
    ~Upstream() {
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
        thread.join();
    }
};

struct DnsHarness {
    int listener = listen_tcp("127.0.0.1", 0);
    DnsTcpContext ctx;
    ServerCounters counters;
    std::atomic<bool> stop{false};
    std::thread thread;
    explicit DnsHarness(std::vector<Endpoint> upstreams) {
        REQUIRE(listener >= 0);
        ctx.policy = test_policy();
        ctx.config.upstreams = std::move(upstreams);
        thread = std::thread([this] {
            EventLoop loop({{listener, dns_tcp_sessions(ctx)}}, 16, counters, 65536);
            loop.run(&stop);
        });
    }
    ~DnsHarness() {
        stop = true;
        thread.join();
        ::close(listener);
    }
    // Sends `stream` in pieces of `piece` bytes; the framed answers until `count` came.
    std::vector<std::string> ask(const std::string& stream, size_t piece, size_t count) {
        const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_storage sa;
        const socklen_t len = sockaddr_of(Endpoint{*vigil::common::parse_ip_address("127.0.0.1"), local_port(listener)}, sa);
        REQUIRE(::connect(c, reinterpret_cast<sockaddr*>(&sa), len) == 0);
        for (size_t at = 0; at < stream.size(); at += piece) {
            const std::string part = stream.substr(at, piece);
            REQUIRE(::send(c, part.data(), part.size(), MSG_NOSIGNAL) == ssize_t(part.size()));
            std::this_thread::sleep_for(std::chrono::milliseconds(piece < stream.size() ? 5 : 0));
        }
        std::vector<std::string> out;
        std::string in;
        char buf[4096];
        pollfd p{c, POLLIN, 0};
        while (out.size() < count && ::poll(&p, 1, 3000) > 0) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            in.append(buf, size_t(n));
            std::string_view msg;
            while (const size_t took = dns_tcp_frame(in, msg)) {
                out.emplace_back(msg);
                in.erase(0, took);
            }
        }
        ::close(c);
        return out;
    }
};

Endpoint at(const char* ip, uint16_t port) { return Endpoint{*vigil::common::parse_ip_address(ip), port}; }

bool has_sinkhole(const std::string& answer) { return answer.ends_with(std::string("\x00\x04\x7f\x00\x00\x09", 6)); }

}  // namespace

TEST_CASE("DNS over TCP: pipelined queries; a listed name answered by the worker, the rest by the upstream") {
    Upstream up("127.0.0.1");
    DnsHarness h({at("127.0.0.1", local_port(up.fd))});
    const std::string stream = dns_tcp_framed(a_query(1, "ok.test")) + dns_tcp_framed(a_query(2, "www.blocked.test")) +
                               dns_tcp_framed(a_query(3, "other.test"));
    for (size_t piece : {stream.size(), size_t(1), size_t(7)}) {
        const int before = up.queries.load();
        const auto answers = h.ask(stream, piece, 3);
        REQUIRE(answers.size() == 3);
        int sinkholed = 0, relayed = 0;
        for (const auto& a : answers) {
            REQUIRE(a.size() >= 12);
            CHECK((uint8_t(a[2]) & 0x80) != 0);
            if (a[1] == 2) sinkholed += has_sinkhole(a);
            if (a[1] != 2) relayed += !has_sinkhole(a);
        }
        CHECK(sinkholed == 1);
        CHECK(relayed == 2);
        CHECK(up.queries.load() - before == 2);  // the listed name never went upstream
    }
}

TEST_CASE("DNS over TCP: a refused upstream gives way to the next one, IPv6 included") {
    Upstream v6("::1");
    if (v6.fd < 0) return;  // no IPv6 on this host: the IPv4 case below still runs
    const int closed = listen_tcp("127.0.0.1", 0);
    const uint16_t refused = local_port(closed);
    ::close(closed);  // nothing listens there now: the connect is refused
    DnsHarness h({at("127.0.0.1", refused), at("::1", local_port(v6.fd))});
    const auto answers = h.ask(dns_tcp_framed(a_query(7, "ok.test")), 64, 1);
    REQUIRE(answers.size() == 1);
    CHECK(answers[0][1] == 7);
    CHECK(v6.queries.load() == 1);
}

TEST_CASE("DNS over TCP: a frame too short to be DNS ends the session") {
    Upstream up("127.0.0.1");
    DnsHarness h({at("127.0.0.1", local_port(up.fd))});
    CHECK(h.ask(dns_tcp_framed("abc") + dns_tcp_framed(a_query(1, "ok.test")), 64, 1).empty());
    CHECK(up.queries.load() == 0);
}
