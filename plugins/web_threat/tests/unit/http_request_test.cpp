// HTTP request framing on an intercepted connection: every request of a
// keep-alive connection is seen, bodies are skipped exactly, ambiguous
// framing is refused.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "http_request.hpp"

using namespace vigil::web_threat;
using Kind = HttpRequestReader::Kind;

namespace {

struct Run {
    std::vector<HttpRequest> heads;
    size_t body_bytes = 0;
    Kind last = Kind::need_more;
    std::string why;
};

// Feeds `wire` in pieces of `piece` bytes, consuming what the reader covers.
Run run(const std::string& wire, size_t piece = 1 << 20) {
    HttpRequestReader r;
    Run out;
    std::string buf;
    for (size_t fed = 0;;) {
        auto step = r.next(buf);
        out.last = step.kind;
        if (step.kind == Kind::head) out.heads.push_back(r.request());
        if (step.kind == Kind::body) out.body_bytes += step.length;
        if (step.kind == Kind::head || step.kind == Kind::body) {
            buf.erase(0, step.length);
            continue;
        }
        if (step.kind != Kind::need_more || fed >= wire.size()) {
            out.why = r.why();
            return out;
        }
        buf += wire.substr(fed, piece);
        fed += piece;
    }
}

}  // namespace

TEST_CASE("keep-alive: each request is seen, Content-Length and chunked bodies are skipped") {
    const std::string wire =
        "GET /good HTTP/1.1\r\nHost: Shared.Test:8080\r\n\r\n"
        "POST /form HTTP/1.1\r\nHost: shared.test\r\nContent-Length: 11\r\n\r\nhello world"
        "PUT /up HTTP/1.1\r\nHost: shared.test\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;ext=1\r\nGET /\r\n0\r\nTrailer: x\r\n\r\n"
        "GET /bad/x HTTP/1.1\r\nHost: shared.test\r\n\r\n";
    for (size_t piece : {size_t(1), size_t(3), size_t(17), size_t(1 << 20)}) {
        CAPTURE(piece);
        const Run r = run(wire, piece);
        REQUIRE(r.heads.size() == 4);
        CHECK(r.heads[0].host == "Shared.Test");
        CHECK(r.heads[0].target == "/good");
        CHECK(r.heads[1].content_length == 11);
        CHECK(r.heads[2].chunked);
        CHECK(r.heads[3].target == "/bad/x");  // "GET /" inside the chunk was body, not a request
        CHECK(r.body_bytes == 11 + std::string("5;ext=1\r\nGET /\r\n0\r\nTrailer: x\r\n\r\n").size());
        CHECK(r.last == Kind::need_more);
    }
}

TEST_CASE("CONNECT and absolute-form targets name the host; CONNECT turns into a tunnel") {
    Run r = run("CONNECT blocked.test:443 HTTP/1.1\r\nHost: blocked.test:443\r\n\r\n\x16\x03\x01");
    REQUIRE(r.heads.size() == 1);
    CHECK(r.heads[0].connect);
    CHECK(r.heads[0].target_host() == "blocked.test");
    CHECK(r.last == Kind::tunnel);
    r = run("GET http://Evil.Test:81/x HTTP/1.1\r\nHost: other.test\r\n\r\n");
    REQUIRE(r.heads.size() == 1);
    CHECK(r.heads[0].target_host() == "evil.test");
    r = run("GET / HTTP/1.0\n\n");  // bare LF and no Host in HTTP/1.0
    REQUIRE(r.heads.size() == 1);
    CHECK(r.heads[0].host.empty());
}

TEST_CASE("ambiguous or malformed requests are refused with a reason") {
    const std::pair<const char*, const char*> cases[] = {
        {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "two Host headers"},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
         "both Content-Length and Transfer-Encoding"},
        {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
         "two different Content-Length values"},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
         "a request Transfer-Encoding that does not end in chunked"},
        {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "folded header line"},
        {"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 request without Host"},
        {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "not HTTP/1.0 or HTTP/1.1"},
        {"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", "bad request target"},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"},
        {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "chunk data longer than its size"},
    };
    for (const auto& [wire, why] : cases) {
        CAPTURE(wire);
        const Run r = run(wire);
        CHECK(r.last == Kind::error);
        CHECK(r.why == why);
    }
    CHECK(run("GET /" + std::string(20000, 'a')).why == "request head larger than 16 KiB");
}
