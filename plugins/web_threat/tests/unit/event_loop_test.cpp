// The worker's event loop end to end on loopback (no NAT: the test names
// the destination): keep-alive requests judged one by one, a blocked request
// never reaching the origin, a large spliced response intact, the
// server-speaks-first deadline, the head deadline, SOCKS5 refused, and the
// connection limit resetting at once.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "test_policy.hpp"
#include "event_loop.hpp"
#include "connection.hpp"
#include "list_parser.hpp"
#include "tcp_server.hpp"

using namespace vigil::web_threat;

namespace {

uint16_t port_of(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

int dial(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    return fd;
}

// Everything until the peer closes or `ms` pass without a byte.
std::string read_some(int fd, size_t want, int ms = 2000) {
    std::string out;
    char buf[65536];
    while (out.size() < want) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0) break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, size_t(n));
    }
    return out;
}

void send_text(int fd, const std::string& s) { REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size())); }

// The origin: "GET /<n> ..." -> 200 with n body bytes; `greeting` first when set.
struct Origin {
    int fd = listen_tcp("127.0.0.1", 0);
    std::atomic<int> accepted{0}, requests{0};
    std::string greeting;
    std::thread thread;
    void start() {
        thread = std::thread([this] {
            for (;;) {
                pollfd p{fd, POLLIN, 0};
                if (::poll(&p, 1, -1) <= 0) continue;
                const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (c < 0) return;  // closed: the test is over
                accepted.fetch_add(1);
                std::thread([this, c] { serve(c); }).detach();
            }
        });
    }
    // Reads until `in` holds a whole request head: its end, npos when the peer closed.
    static size_t next_head(int c, std::string& in) {
        size_t end;
        char buf[4096];
        while ((end = in.find("\r\n\r\n")) == std::string::npos) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) return std::string::npos;
            in.append(buf, size_t(n));
        }
        return end;
    }
    void serve(int c) {
        if (!greeting.empty()) (void)::send(c, greeting.data(), greeting.size(), MSG_NOSIGNAL);
        std::string in;
        for (size_t end; (end = next_head(c, in)) != std::string::npos;) {
            requests.fetch_add(1);
            const size_t bytes = std::stoul(in.substr(5));
            in.erase(0, end + 4);
            const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(bytes) + "\r\n\r\n" +
                                      std::string(bytes, 'x');
            if (::send(c, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) break;
        }
        ::close(c);
    }
    ~Origin() {
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
        if (thread.joinable()) thread.join();
    }
};

Policy web_policy() { return test_policy("blocked.test\n10.9.0.66\n"); }

// A loop serving one listener in a thread, every connection headed for `dest`.
struct Harness {
    Origin origin;
    int listener = listen_tcp("127.0.0.1", 0);
    ConnectionContext ctx;
    ServerCounters counters;
    std::atomic<bool> stop{false};
    std::thread thread;
    explicit Harness(uint32_t max_connections = 64, const char* dest_ip = "127.0.0.1") {
        REQUIRE(origin.fd >= 0);
        REQUIRE(listener >= 0);
        ctx.policy = web_policy();
        ctx.limits.first_bytes_ms = 100;
        ctx.limits.head_ms = 300;
        ctx.listen_port = port_of(listener);
        Endpoint dest{*vigil::common::parse_ip_address(dest_ip), port_of(origin.fd)};
        ctx.destination_of = [dest](int) { return std::optional<Endpoint>(dest); };
        origin.start();
        thread = std::thread([this, max_connections] {
            EventLoop loop({{listener, web_connections(ctx)}}, max_connections, counters, ctx.limits.buffer_bytes);
            loop.run(&stop);
        });
    }
    ~Harness() {
        stop = true;
        thread.join();
        ::close(listener);
    }
};

std::string get(const std::string& host, size_t bytes) {
    return "GET /" + std::to_string(bytes) + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
}

}  // namespace

TEST_CASE("event loop: keep-alive requests judged one by one; the blocked one never reaches the origin") {
    Harness h;
    const int c = dial(h.ctx.listen_port);
    send_text(c, get("ok.test", 10));
    CHECK(read_some(c, 48) == "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nxxxxxxxxxx");
    send_text(c, get("ok.test", 5));
    CHECK(read_some(c, 43).ends_with("\r\n\r\nxxxxx"));
    send_text(c, get("blocked.test", 5));
    const std::string page = read_some(c, size_t(-1));
    CHECK(page.starts_with("HTTP/1.1 403"));
    CHECK(page.find("vigil-block-page") != std::string::npos);
    CHECK(h.origin.requests.load() == 2);
    ::close(c);
}

TEST_CASE("event loop: a blocked first request opens no upstream connection") {
    Harness h;
    const int c = dial(h.ctx.listen_port);
    send_text(c, get("blocked.test", 1));
    CHECK(read_some(c, size_t(-1)).starts_with("HTTP/1.1 403"));
    CHECK(h.origin.accepted.load() == 0);
    ::close(c);
}

TEST_CASE("event loop: a large response arrives intact (spliced)") {
    Harness h;
    const int c = dial(h.ctx.listen_port);
    const size_t bytes = 8u << 20;
    send_text(c, get("ok.test", bytes));
    const std::string got = read_some(c, bytes + 42);
    REQUIRE(got.size() >= bytes);
    CHECK(got.substr(got.size() - bytes) == std::string(bytes, 'x'));
    ::close(c);
}

TEST_CASE("event loop: no client bytes in first_bytes_ms: judged by address, the server speaks first") {
    SUBCASE("allowed address") {
        Harness h;
        h.origin.greeting = "220 hello\r\n";
        const int c = dial(h.ctx.listen_port);
        CHECK(read_some(c, 11) == "220 hello\r\n");
        ::close(c);
    }
    SUBCASE("listed address: closed, nothing upstream") {
        Harness h(64, "10.9.0.66");
        const int c = dial(h.ctx.listen_port);
        CHECK(read_some(c, 1) == "");
        CHECK(h.origin.accepted.load() == 0);
        ::close(c);
    }
}

TEST_CASE("event loop: an incomplete head is closed at head_ms") {
    Harness h;
    const int c = dial(h.ctx.listen_port);
    send_text(c, "GET / HTTP/1.1\r\nHost: ok.te");
    CHECK(read_some(c, 1, 3000) == "");  // closed by the worker, not by the poll timeout
    CHECK(h.origin.accepted.load() == 0);
    ::close(c);
}

TEST_CASE("event loop: a SOCKS5 request for a listed name is refused") {
    Harness h;
    const int c = dial(h.ctx.listen_port);
    send_text(c, std::string("\x05\x01\x00", 3));
    CHECK(read_some(c, 2) == std::string("\x05\x00", 2));
    send_text(c, std::string("\x05\x01\x00\x03\x0c", 5) + "blocked.test" + std::string("\x00\x50", 2));
    CHECK(read_some(c, 10).substr(0, 2) == std::string("\x05\x02", 2));
    CHECK(h.origin.accepted.load() == 0);
    ::close(c);
}

TEST_CASE("event loop: past max_connections a new connection is reset at once") {
    Harness h(1);
    const int first = dial(h.ctx.listen_port);
    send_text(first, "GET / HTTP/1.1\r\n");  // held: the head is not complete
    const int second = dial(h.ctx.listen_port);
    char b;
    pollfd p{second, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 2000) == 1);
    const ssize_t r = ::recv(second, &b, 1, 0);
    const int err = errno;  // before a CHECK's output can change it
    CHECK(r < 0);
    CHECK(err == ECONNRESET);
    CHECK(h.counters.refused_busy.load() == 1);
    ::close(first);
    ::close(second);
}
