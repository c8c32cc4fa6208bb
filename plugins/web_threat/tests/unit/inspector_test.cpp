// The verdict on an intercepted connection from its first bytes: nothing is
// forwarded before the decision, TLS is judged by SNI, every HTTP request of
// a keep-alive connection by Host and URL, other protocols by address.
#include <doctest/doctest.h>

#include <string>

#include "inspector.hpp"
#include "list_parser.hpp"

using namespace vigil::web_threat;
using Outcome = ConnectionInspector::Outcome;

namespace {

Policy policy(bool block = true) {
    ListSetBuilder b;
    ListSpec s;
    s.name = "bad";
    s.format = ListFormat::domains;
    parse_list_text(b, s, "blocked.test\n10.9.0.66\n", "d");
    s.name = "bad-urls";
    s.format = ListFormat::urls;
    s.category = Category::phishing;
    parse_list_text(b, s, "http://shared.test/bad/\n", "u");
    Policy p;
    p.blocked = b.finish();
    p.trusted = build_trusted({"trusted.blocked.test"});
    p.block = block;
    return p;
}

vigil::common::IpAddress ip(const char* t) { return *vigil::common::parse_ip_address(t); }

std::string client_hello(const std::string& sni) {
    auto u16 = [](size_t v) { return std::string{char(v >> 8), char(v & 255)}; };
    const std::string entry = std::string(1, '\0') + u16(sni.size()) + sni;
    const std::string exts = u16(0) + u16(entry.size() + 2) + u16(entry.size()) + entry;
    const std::string body = u16(0x0303) + std::string(32, 'r') + std::string(1, '\0') + u16(2) +
                             std::string("\x13\x01", 2) + std::string("\x01\x00", 2) + u16(exts.size()) + exts;
    const std::string hs = std::string(1, '\x01') + std::string(1, '\0') + u16(body.size()) + body;
    return std::string("\x16\x03\x01", 3) + u16(hs.size()) + hs;
}

}  // namespace

TEST_CASE("TLS: nothing goes upstream before the whole ClientHello; a blocked SNI gets the alert") {
    const std::string hello = client_hello("www.Blocked.Test");
    ConnectionInspector c(policy(), ip("10.9.0.2"));
    CHECK(c.feed(hello.substr(0, 10)) == Outcome::need_more);
    CHECK(c.take_forward().empty());
    CHECK(c.feed(hello.substr(10)) == Outcome::block);
    CHECK(c.response() == tls_alert_record());
    auto d = c.take_decisions();
    REQUIRE(d.size() == 1);
    CHECK(d[0].target.host == "www.blocked.test");
    CHECK(d[0].verdict.list == "bad");
    CHECK(c.take_forward().empty());

    ConnectionInspector ok(policy(), ip("10.9.0.2"));
    CHECK(ok.feed(client_hello("ok.test") + "rest") == Outcome::forward);
    CHECK(ok.take_forward() == client_hello("ok.test") + "rest");
    CHECK(ok.feed("more") == Outcome::forward);
    CHECK(ok.take_forward() == "more");

    ConnectionInspector trusted(policy(), ip("10.9.0.2"));
    CHECK(trusted.feed(client_hello("trusted.blocked.test")) == Outcome::forward);
    CHECK(trusted.take_decisions()[0].verdict.decision == Decision::trusted);
    // What the encrypted connections scan may decrypt: a let-through SNI,
    // not a trusted one, nor a blocked one.
    CHECK(ok.scannable_sni() == "ok.test");
    CHECK(trusted.scannable_sni().empty());
    CHECK(c.scannable_sni().empty());
    // The blocked one: its name, its hello and the page the scan may show.
    CHECK(c.blocked_sni() == "www.blocked.test");
    CHECK(c.blocked_hello() == hello);
    CHECK(c.tls_block_page().find("https://www.blocked.test/") != std::string::npos);
    CHECK(ok.blocked_sni().empty());
}

TEST_CASE("decrypted requests are judged by their https URL") {
    ConnectionInspector c(policy(), ip("10.9.0.2"));
    c.decrypted();
    CHECK(c.feed("GET /good HTTP/1.1\r\nHost: shared.test\r\n\r\n") == Outcome::forward);
    CHECK(c.take_decisions()[0].target.url->text() == "https://shared.test/good");
    CHECK(c.feed("GET /bad/x HTTP/1.1\r\nHost: shared.test\r\n\r\n") == Outcome::block);
    auto d = c.take_decisions();
    CHECK(d[0].target.url->text() == "https://shared.test/bad/x");
    CHECK(c.response().find("https://shared.test/bad/x") != std::string::npos);
}

TEST_CASE("HTTP keep-alive: the first request passes, the second is blocked by its URL") {
    ConnectionInspector c(policy(), ip("10.9.0.2"));
    const std::string first = "GET /good HTTP/1.1\r\nHost: shared.test\r\n\r\n";
    CHECK(c.feed(first.substr(0, 5)) == Outcome::need_more);
    CHECK(c.feed(first.substr(5)) == Outcome::forward);
    CHECK(c.take_forward() == first);
    CHECK(c.take_decisions().size() == 1);
    CHECK(c.feed("GET /bad/x?y HTTP/1.1\r\nHost: shared.test\r\n\r\n") == Outcome::block);
    CHECK(c.take_forward().empty());
    CHECK(c.response().rfind("HTTP/1.1 403 Forbidden", 0) == 0);
    CHECK(c.response().find("http://shared.test/bad/x?y") != std::string::npos);
    auto d = c.take_decisions();
    REQUIRE(d.size() == 1);
    CHECK(d[0].verdict.match->kind == MatchKind::url);
    CHECK(d[0].verdict.match->category == Category::phishing);
}

TEST_CASE("live lists: a swap applies to the next request of an open connection") {
    Policy p = policy();
    auto holder = std::make_shared<ListHolder>(p.blocked);
    p.live = holder;
    ConnectionInspector c(p, ip("10.9.0.2"));
    const std::string req = "GET /x HTTP/1.1\r\nHost: later.test\r\n\r\n";
    CHECK(c.feed(req) == Outcome::forward);
    (void)c.take_forward();
    ListSetBuilder b;
    ListSpec s;
    s.name = "new";
    s.format = ListFormat::domains;
    parse_list_text(b, s, "later.test\n", "n");
    holder->set(b.finish());
    CHECK(c.feed(req) == Outcome::block);
    CHECK(p.lists()->domain_count() == 1);
}

TEST_CASE("HTTP: a request body is forwarded, never judged as a request; notify mode lets a block through") {
    ConnectionInspector c(policy(), ip("10.9.0.2"));
    const std::string post = "POST /f HTTP/1.1\r\nHost: ok.test\r\nContent-Length: 44\r\n\r\n"
                             "GET /bad/ HTTP/1.1\r\nHost: shared.test\r\n\r\n..";
    CHECK(c.feed(post) == Outcome::forward);
    CHECK(c.take_forward() == post);
    CHECK(c.take_decisions().size() == 1);

    ConnectionInspector n(policy(false), ip("10.9.0.2"));
    CHECK(n.feed("GET / HTTP/1.1\r\nHost: blocked.test\r\n\r\n") == Outcome::forward);
    auto d = n.take_decisions();
    REQUIRE(d.size() == 1);
    CHECK(d[0].verdict.decision == Decision::block);
    CHECK_FALSE(d[0].blocked);
}

TEST_CASE("HTTP framing that cannot be judged is refused with 400; other protocols go by address") {
    ConnectionInspector c(policy(), ip("10.9.0.2"));
    CHECK(c.feed("GET / HTTP/1.1\r\nHost: ok.test\r\nHost: blocked.test\r\n\r\n") == Outcome::block);
    CHECK(c.response().rfind("HTTP/1.1 400 Bad Request", 0) == 0);
    CHECK(c.take_decisions()[0].refused == "two Host headers");

    ConnectionInspector ssh(policy(), ip("10.9.0.2"));
    CHECK(ssh.feed("SSH-2.0-OpenSSH_9.2\r\n") == Outcome::forward);
    CHECK(ssh.take_forward() == "SSH-2.0-OpenSSH_9.2\r\n");

    ConnectionInspector bad_ip(policy(), ip("10.9.0.66"));
    CHECK(bad_ip.timeout() == Outcome::block);  // server-speaks-first to a listed address
    CHECK(bad_ip.take_decisions()[0].verdict.match->kind == MatchKind::ip);

    ConnectionInspector connect(policy(), ip("10.9.0.2"));
    CHECK(connect.feed("CONNECT blocked.test:443 HTTP/1.1\r\nHost: blocked.test:443\r\n\r\n") == Outcome::block);
}

TEST_CASE("proxy ports: a request naming a listed address is blocked, not sent to the proxy") {
    for (const char* head : {"GET http://10.9.0.66/x HTTP/1.1\r\nHost: 10.9.0.66\r\n\r\n",
                             "GET http://[fd09::66]/x HTTP/1.1\r\nHost: [fd09::66]\r\n\r\n",
                             "CONNECT [fd09::66]:443 HTTP/1.1\r\nHost: [fd09::66]:443\r\n\r\n",
                             "CONNECT 10.9.0.66:443 HTTP/1.1\r\nHost: 10.9.0.66:443\r\n\r\n"}) {
        CAPTURE(head);
        Policy p = policy();
        ListSetBuilder b;
        ListSpec s;
        s.name = "bad-ips";
        s.format = ListFormat::ips;
        parse_list_text(b, s, "10.9.0.66\nfd09::66\n", "i");
        p.blocked = b.finish();
        ConnectionInspector c(p, ip("fd09::2"));  // the proxy's address
        CHECK(c.feed(head) == Outcome::block);
        CHECK(c.take_forward().empty());
        auto d = c.take_decisions();
        REQUIRE(d.size() == 1);
        REQUIRE(d[0].verdict.match);
        CHECK(d[0].verdict.match->kind == MatchKind::ip);
        CHECK(d[0].verdict.list == "bad-ips");
    }
    ConnectionInspector ok(policy(), ip("fd09::2"));
    CHECK(ok.feed("GET http://[fd09::2]/x HTTP/1.1\r\nHost: [fd09::2]\r\n\r\n") == Outcome::forward);
}

TEST_CASE("threat ids: the block page quotes the id of the threat the report carries") {
    Policy p = policy();
    p.ids = std::make_shared<ThreatIds>();
    p.ids->agent_id = "agent-1";
    p.ids->next = 5000;
    ConnectionInspector allowed(p, ip("10.9.0.2"));
    CHECK(allowed.feed("GET / HTTP/1.1\r\nHost: ok.test\r\n\r\n") == Outcome::forward);
    CHECK(allowed.take_decisions().at(0).threat_id == 0);  // not a threat: no number used
    ConnectionInspector in(p, ip("10.9.0.2"));
    CHECK(in.feed("GET /x HTTP/1.1\r\nHost: blocked.test\r\n\r\n") == Outcome::block);
    CHECK(in.response().find("<code>agent-1:threat:5000</code>") != std::string::npos);
    const auto d = in.take_decisions();
    REQUIRE(d.size() == 1);
    CHECK(d[0].threat_id == 5000);
    // A trusted address that overrides an entry is a threat (action trusted): numbered too.
    ConnectionInspector trusted(p, ip("10.9.0.2"));
    CHECK(trusted.feed("GET / HTTP/1.1\r\nHost: trusted.blocked.test\r\n\r\n") == Outcome::forward);
    CHECK(trusted.take_decisions().at(0).threat_id == 5001);
    CHECK(p.ids->event_uid(0).empty());
}
