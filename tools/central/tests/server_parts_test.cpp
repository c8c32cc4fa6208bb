// Parts of the event-driven server that need no socket: the request head → Request, the
// checks made before a body is read, connection limits (incl. the fair handshake budget),
// and printable log text.
#include <doctest/doctest.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>
#include <vector>

#include "connection_limits.hpp"
#include "log_limiter.hpp"
#include "request_head.hpp"
#include "sqlite_storage.hpp"
#include "test_support.hpp"

using namespace vigil::central;
namespace http = boost::beast::http;

namespace {

RequestHead head_of(const std::string& text) {
    http::request_parser<http::empty_body> p;
    boost::system::error_code ec;
    p.put(boost::asio::buffer(text), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(p.is_header_done());
    return p.release();
}

struct ApiFixture {
    central_test::TempDir dir;
    SqliteStorage storage{SqliteOptions{dir.path + "/c.db"}};
    TaskBroker broker;
    FileStore files{dir.path + "/files"};
    Api api{storage, broker, files, ApiSettings{}};
};

std::optional<int> refusal(const Api& api, const std::string& text, std::optional<uint64_t> length,
                           bool body) {
    auto r = make_request(head_of(text), length);
    auto e = check_head(r, body, api);
    if (!e) return std::nullopt;
    return e->status();
}

}  // namespace

TEST_CASE("the request head becomes the API's Request") {
    auto r = make_request(head_of("GET /api/v1/ev%65nts?text=a+b%21&limit=5&limit=7&flag HTTP/1.1\r\n"
                                  "Host: x\r\nX-Vigil-Agent-Id: A1\r\nx-vigil-agent-id: A2\r\n\r\n"),
                          std::nullopt);
    CHECK(r.method == "GET");
    CHECK(r.path == "/api/v1/events");
    CHECK(r.query.at("text") == "a b!");
    CHECK(r.query.at("limit") == "7");  // the last of repeated names wins
    CHECK(r.query.at("flag").empty());
    CHECK(r.header("x-vigil-agent-id") == "A2");
    CHECK(r.header("host") == "x");
    CHECK_THROWS_AS(make_request(head_of("GET /a%zz HTTP/1.1\r\n\r\n"), std::nullopt), ApiError);
    CHECK_THROWS_AS(make_request(head_of("GET http://evil/api/v1/health HTTP/1.1\r\n\r\n"), std::nullopt),
                    ApiError);
}

TEST_CASE("what the head alone shows is refused before the body is read") {
    ApiFixture f;
    const std::string telemetry =
        "POST /api/v1/agent/telemetry HTTP/1.1\r\nContent-Type: application/json\r\n";
    CHECK(refusal(f.api, telemetry + "Content-Encoding: gzip\r\n\r\n", 100, true) == std::nullopt);
    CHECK(refusal(f.api, telemetry + "Content-Encoding: gzip\r\n\r\n", 65ull << 20, true) == 413);
    CHECK(refusal(f.api, telemetry + "\r\n", 100, true) == 415);
    CHECK(refusal(f.api, "POST /api/v1/agent/telemetry HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n", 100,
                  true) == 415);
    CHECK(refusal(f.api, "POST /api/v1/agent/sync HTTP/1.1\r\nContent-Type: application/json\r\n\r\n",
                  2 << 20, true) == 413);
    CHECK(refusal(f.api,
                  "PUT /api/v1/agent/tasks/0123456789abcdef0123456789abcdef/file HTTP/1.1\r\n"
                  "Content-Type: application/octet-stream\r\n\r\n",
                  10, true) == 400);  // no X-Vigil-Sha256
    // Bodyless requests and unknown endpoints are left to the API (which answers 404/405).
    CHECK(refusal(f.api, "GET /api/v1/agent/tasks HTTP/1.1\r\n\r\n", std::nullopt, false) == std::nullopt);
    CHECK(refusal(f.api, "POST /api/v1/nope HTTP/1.1\r\n\r\n", 10, true) == std::nullopt);
}

TEST_CASE("connection limits: per address, in total, and the handshake phase") {
    ConnectionLimits limits({5, 3, 3, 2});
    const char* why = nullptr;
    auto refused = [&](const char* address, ConnectionLimits::Ticket& t) {
        why = nullptr;
        ConnectionLimits::Abort evicted;
        const bool ok = limits.admit(address, t, why, evicted);
        CHECK_FALSE(evicted);  // none of these handshakes can be told to end: none is evicted
        return !ok ? std::string(why) : std::string("admitted");
    };
    ConnectionLimits::Ticket a1, a2, a3, a4, b1, c1, c2;
    CHECK(refused("a", a1) == "admitted");
    CHECK(refused("a", a2) == "admitted");
    CHECK(refused("a", a3) == "server.max_handshakes_per_address");
    CHECK(refused("b", b1) == "admitted");
    CHECK(refused("c", c1) == "server.max_handshakes");
    a1.handshake_done();
    a2.handshake_done();
    b1.handshake_done();
    CHECK(limits.handshakes() == 0);
    CHECK(refused("a", a3) == "admitted");
    CHECK(refused("a", a4) == "server.max_connections_per_address");
    CHECK(refused("c", c1) == "admitted");
    CHECK(refused("c", c2) == "server.max_connections");
    a1 = ConnectionLimits::Ticket();  // gives its slots back
    CHECK(limits.connections() == 4);
    CHECK(refused("c", c2) == "admitted");
}

// Trickled handshakes from many addresses must not keep a new agent out: when every
// handshake slot is taken, the oldest handshake of an address holding more than the
// newcomer's is ended for it; the address holding the most is the one refused.
TEST_CASE("connection limits: a full handshake budget evicts the oldest of a heavier address") {
    ConnectionLimits limits({100, 100, 4, 3});
    std::vector<std::string> ended;
    auto admit = [&](const std::string& address, ConnectionLimits::Ticket& t) {
        const char* why = nullptr;
        ConnectionLimits::Abort evicted;
        const bool ok = limits.admit(address, t, why, evicted);
        if (evicted) evicted();
        if (ok) t.on_evict([&ended, name = address + std::to_string(limits.connections())] { ended.push_back(name); });
        return ok ? std::string("admitted") : std::string(why);
    };
    ConnectionLimits::Ticket x1, x2, x3, y1, z1, z2, w1;
    CHECK(admit("x", x1) == "admitted");  // x1 is the oldest handshake
    CHECK(admit("x", x2) == "admitted");
    CHECK(admit("x", x3) == "admitted");
    CHECK(admit("y", y1) == "admitted");
    CHECK(limits.handshakes() == 4);
    CHECK(admit("z", z1) == "admitted");  // full: x holds 3 > 0, its oldest is ended
    REQUIRE(ended.size() == 1);
    CHECK(ended[0] == "x1");
    CHECK(limits.handshakes() == 4);
    CHECK(limits.evictions() == 1);
    CHECK(admit("z", z2) == "admitted");  // z holds 1, x holds 2 > 1: x's next oldest
    REQUIRE(ended.size() == 2);
    CHECK(ended[1] == "x2");
    // Now x, y hold 1 each and z 2: z is the heaviest, nobody holds more than z: refused.
    CHECK(admit("z", w1) == "server.max_handshakes");
    x1.handshake_done();  // an evicted handshake's slot is not given back twice
    x1 = ConnectionLimits::Ticket();
    CHECK(limits.handshakes() == 4);
    CHECK(limits.connections() == 5);
    y1.handshake_done();
    CHECK(limits.handshakes() == 3);
    CHECK(admit("w", w1) == "admitted");  // a free slot: nobody is evicted
    CHECK(ended.size() == 2);
}

TEST_CASE("log text is printable and bounded") {
    CHECK(printable("GET /x") == "GET /x");
    CHECK(printable("a\x1b[31mb\n\\") == "a\\x1b[31mb\\x0a\\x5c");
    CHECK(printable("\xc2\x9b") == "\\xc2\\x9b");  // C1 control in UTF-8
    CHECK(printable(std::string(1000, 'a'), 10) == "aaaaaaaaaa...");
}
