// DNS over UDP through the forwarder's event loop on loopback: a listed
// name answered by the worker (the upstream sees nothing), other queries
// forwarded and answered, a silent upstream left for the next after the
// timeout, a refusing upstream left at once, an answer with another id
// ignored, and the bound on queries waiting for upstreams.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_policy.hpp"
#include "dns_udp.hpp"
#include "list_parser.hpp"
#include "tcp_server.hpp"

using namespace vigil::web_threat;

namespace {

Endpoint at(const char* ip, uint16_t port) { return Endpoint{*vigil::common::parse_ip_address(ip), port}; }

// An upstream resolver on 127.0.0.1: `mode` answer (the query with QR set),
// wrong_id (first a reply with another id, then the right one) or silent.
struct Upstream {
    enum Mode { answer, wrong_id, silent } mode;
    int fd = bind_udp("127.0.0.1", 0);
    std::atomic<int> queries{0};
    std::atomic<bool> stop{false};
    std::thread thread;
    explicit Upstream(Mode m) : mode(m) {
        thread = std::thread([this] {
            char buf[512];
            pollfd p{fd, POLLIN, 0};
            while (!stop) {
                if (::poll(&p, 1, 20) <= 0) continue;
                sockaddr_storage from{};
                socklen_t len = sizeof from;
                const ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
                if (n < 12) continue;
                queries.fetch_add(1);
                std::string r(buf, size_t(n));
                r[2] = char(r[2] | 0x80);
                if (mode == silent) continue;
                if (mode == wrong_id) {
                    std::string other = r;
                    other[0] = char(other[0] ^ 0x55);
                    ::sendto(fd, other.data(), other.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
                }
                ::sendto(fd, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
            }
        });
    }
    Endpoint endpoint() const { return at("127.0.0.1", local_endpoint(fd)->port); }
    ~Upstream() {
        stop = true;
        thread.join();
        ::close(fd);
    }
};

struct Harness {
    int listener = bind_udp("127.0.0.1", 0);
    Policy policy;
    DnsConfig config;
    std::atomic<bool> stop{false};
    std::unique_ptr<DnsUdpForwarder> fwd;
    std::thread thread;
    Harness(std::vector<Endpoint> upstreams, int timeout_ms = 2000, uint32_t max_inflight = 256) {
        REQUIRE(listener >= 0);
        policy = test_policy();
        config.upstreams = std::move(upstreams);
        config.timeout_ms = timeout_ms;
        config.max_inflight = max_inflight;
        fwd = std::make_unique<DnsUdpForwarder>(std::vector<int>{listener}, policy, config, nullptr);
        thread = std::thread([this] { fwd->run(&stop); });
    }
    ~Harness() {
        stop = true;
        thread.join();
        fwd.reset();
        ::close(listener);
    }
    // Sends `q` from a fresh socket; the answer within `wait_ms`, or "".
    std::string ask(const std::string& q, int wait_ms = 3000) {
        const int c = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_storage sa;
        const socklen_t len = sockaddr_of(at("127.0.0.1", local_endpoint(listener)->port), sa);
        REQUIRE(::connect(c, reinterpret_cast<sockaddr*>(&sa), len) == 0);
        REQUIRE(::send(c, q.data(), q.size(), 0) == ssize_t(q.size()));
        std::string out;
        char buf[512];
        pollfd p{c, POLLIN, 0};
        if (::poll(&p, 1, wait_ms) > 0) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n > 0) out.assign(buf, size_t(n));
        }
        ::close(c);
        return out;
    }
};

// `a` answers `q`: same length and id.
void check_answers(const std::string& a, const std::string& q) {
    REQUIRE(a.size() == q.size());
    CHECK(a.substr(0, 2) == q.substr(0, 2));
}

double since_ms(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("dns udp: forwarded and answered; a listed name answered by the worker, never sent upstream") {
    Upstream up(Upstream::answer);
    Harness h({up.endpoint()});
    const std::string q = a_query(0x4242, "ok.test"), a = h.ask(q);
    check_answers(a, q);
    CHECK((uint8_t(a[2]) & 0x80) != 0);
    CHECK(up.queries == 1);
    const std::string b = h.ask(a_query(0x0101, "www.blocked.test"));
    REQUIRE(b.size() > 12);
    CHECK(b.ends_with(std::string("\x00\x04\x7f\x00\x00\x09", 6)));  // the sinkhole
    CHECK(up.queries == 1);
    // Many at once: every one answered, none left waiting.
    std::vector<std::thread> clients;
    std::atomic<int> answered{0};
    for (int i = 0; i < 8; ++i)
        clients.emplace_back([&, i] {
            for (int j = 0; j < 25; ++j)
                if (!h.ask(a_query(uint16_t(i * 100 + j), "n" + std::to_string(j) + ".test")).empty()) ++answered;
        });
    for (auto& t : clients) t.join();
    CHECK(answered == 200);
    // The client has its answer before the loop thread finishes the query's bookkeeping:
    // wait (bounded) for the count to drop rather than read it once.
    const auto t0 = std::chrono::steady_clock::now();
    while (h.fwd->inflight() != 0 && since_ms(t0) < 2000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(h.fwd->inflight() == 0);
}

TEST_CASE("dns udp: a silent upstream gives way to the next after the timeout, a refusing one at once") {
    Upstream silent(Upstream::silent), good(Upstream::answer);
    {
        Harness h({silent.endpoint(), good.endpoint()}, 300);
        const auto t0 = std::chrono::steady_clock::now();
        CHECK_FALSE(h.ask(a_query(7, "slow.test")).empty());
        CHECK(since_ms(t0) >= 280);
        CHECK(silent.queries == 1);
        CHECK(good.queries == 1);
    }
    // A port nobody listens on: ICMP port unreachable, the next upstream at once.
    const int closed = bind_udp("127.0.0.1", 0);
    const Endpoint gone = at("127.0.0.1", local_endpoint(closed)->port);
    ::close(closed);
    Harness h({gone, good.endpoint()}, 5000);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(h.ask(a_query(8, "refused.test")).empty());
    CHECK(since_ms(t0) < 2000);
    CHECK(good.queries == 2);
}

TEST_CASE("dns udp: an answer with another id is not passed on; the wait is bounded") {
    Upstream wrong(Upstream::wrong_id);
    {
        Harness h({wrong.endpoint()});
        const std::string q = a_query(0x1111, "id.test");
        check_answers(h.ask(q), q);
    }
    Upstream silent(Upstream::silent);
    Harness h({silent.endpoint()}, 5000, 2);
    for (int i = 0; i < 4; ++i) CHECK(h.ask(a_query(uint16_t(i), "wait.test"), 50).empty());
    CHECK(silent.queries == 2);  // the third and fourth were dropped
    CHECK(h.fwd->inflight() == 2);
}
