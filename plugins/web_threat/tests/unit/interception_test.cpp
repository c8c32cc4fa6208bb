// The interception's pure parts: the nftables rules, the worker's
// configuration, DNS upstreams, the DNS forwarder's verdicts, the worker's
// reports and the worker user. The traffic itself is tested in network
// namespaces (tests/integration/intercept.sh).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <vigil/json_reader.hpp>

#include "dns_forwarder.hpp"
#include "interception.hpp"
#include "list_loader.hpp"
#include "redirect_rules.hpp"
#include "static_rules.hpp"
#include "socket_owner.hpp"
#include "socks_session.hpp"
#include "worker_config.hpp"
#include "worker_report.hpp"

using namespace vigil::web_threat;

namespace {

Policy policy_with(const std::string& domains, bool block = true) {
    SentList l;
    l.spec.name = "bad";
    l.spec.format = ListFormat::domains;
    l.spec.category = Category::malicious;
    l.content = domains;
    Policy p;
    p.blocked = load_lists({}, {}, {l}, 1 << 20, false).set;
    p.trusted = build_trusted({"ok.blocked.test"});
    p.block = block;
    return p;
}

// A standard query for `name` (type A) with id 0x1234.
std::string query(const std::string& name, uint16_t type = 1) {
    std::string m("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
    size_t start = 0;
    while (start <= name.size()) {
        const size_t dot = std::min(name.find('.', start), name.size());
        m += char(dot - start);
        m += name.substr(start, dot - start);
        start = dot + 1;
    }
    m += '\0';
    m += char(type >> 8);
    m += char(type & 0xff);
    m += std::string("\x00\x01", 2);
    return m;
}

}  // namespace

TEST_CASE("redirect rules: owned table, worker excluded by uid, sinkhole, loopback, ports, DNS") {
    RedirectPlan p{64987, 15380, 15353, {80, 81, 82, 83, 443, 8080}, true};
    const std::string t = redirect_ruleset(p);
    CHECK(t.find("add table inet vigil_web_redirect { flags owner; }") != std::string::npos);
    CHECK(t.find("type nat hook output priority -100") != std::string::npos);
    const size_t uid = t.find("meta skuid 64987 return"), sink = t.find("ip daddr 127.0.0.9 tcp dport { 80, 443 } redirect to :15380"),
                 lo = t.find("ip daddr 127.0.0.0/8 return"), ports = t.find("tcp dport { 80-83, 443, 8080 } redirect to :15380");
    REQUIRE(uid != std::string::npos);
    REQUIRE(sink != std::string::npos);
    REQUIRE(lo != std::string::npos);
    REQUIRE(ports != std::string::npos);
    CHECK(uid < sink);  // the worker's own connections are never redirected, not even to the sinkhole
    CHECK(sink < lo);
    CHECK(lo < ports);
    CHECK(t.find("meta l4proto { tcp, udp } th dport 53 redirect to :15353") != std::string::npos);
    p.dns_port = 0;
    p.owned = false;
    const std::string closed = redirect_ruleset(p);
    CHECK(closed.find("flags owner") == std::string::npos);
    CHECK(closed.find("dport 53") == std::string::npos);
    CHECK_THROWS(redirect_ruleset(RedirectPlan{1, 0, 0, {80}, true}));
    const std::string st = static_ruleset({true, true, false});
    CHECK(st.find("udp dport 443 counter reject") != std::string::npos);
    CHECK(st.find("tcp dport 853 counter reject with tcp reset") != std::string::npos);
    CHECK(static_ruleset({false, false, true}).find("reject") == std::string::npos);
    CHECK(port_set_text({443, 80, 80, 81, 7900, 8000, 8001, 8002}) == "80-81, 443, 7900, 8000-8002");
}

TEST_CASE("worker config: round trip and refusals") {
    WorkerConfig c;
    c.settings_json = R"({"ports":[80]})";
    c.state_dir = "/var/lib/vigil/web_threat";
    c.uid = 64987;
    c.gid = 64988;
    c.parent_pid = 4242;
    c.dns_upstreams = {"10.9.0.2", "[fd09::2]:5353"};
    const WorkerConfig d = parse_worker_config(worker_config_json(c));
    CHECK(d.settings_json == c.settings_json);
    CHECK(d.state_dir == c.state_dir);
    CHECK(d.uid == 64987);
    CHECK(d.gid == 64988);
    CHECK(d.parent_pid == 4242);
    CHECK(d.dns_upstreams == c.dns_upstreams);
    CHECK_THROWS(parse_worker_config("[]"));
    CHECK_THROWS(parse_worker_config(R"({"settings":"{}","state_dir":"/x","uid":-1,"gid":1,"parent_pid":1,"dns_upstreams":[]})"));
    CHECK_THROWS(parse_worker_config(R"({"settings":"{}","state_dir":"/x","uid":1,"gid":1,"parent_pid":1,"dns_upstreams":["nope"]})"));
}

TEST_CASE("DNS upstreams: forms, ports, resolv.conf without loopback stubs") {
    CHECK(parse_upstream("10.9.0.2")->text() == "10.9.0.2:53");
    CHECK(parse_upstream("10.9.0.2:5353")->text() == "10.9.0.2:5353");
    CHECK(parse_upstream("fd09::2")->text() == "[fd09::2]:53");
    CHECK(parse_upstream("[fd09::2]:5300")->text() == "[fd09::2]:5300");
    CHECK_FALSE(parse_upstream("10.9.0.2:0"));
    CHECK_FALSE(parse_upstream("10.9.0.2:65536"));
    CHECK_FALSE(parse_upstream("[fd09::2"));
    CHECK_FALSE(parse_upstream("resolver.example"));
    const auto ups = resolv_conf_upstreams(
        "# generated\nnameserver 127.0.0.53\nnameserver 10.9.0.2\n  nameserver\tfd09::2 # v6\nsearch x\nnameserver ::1\n"
        "nameserver bogus\n");
    CHECK(ups == std::vector<std::string>{"10.9.0.2", "fd09::2"});
}

TEST_CASE("DNS forwarder verdicts: blocked names answered at once, canary, the rest forwarded") {
    const Policy p = policy_with("blocked.test\n");
    DnsStep s = judge_dns_query(query("www.blocked.test"), p, DnsBlockMode::sinkhole);
    CHECK(s.answer_now);
    REQUIRE(s.inspection);
    CHECK(s.inspection->blocked);
    CHECK(s.inspection->protocol == Inspection::Protocol::dns);
    REQUIRE(s.answer.size() > 16);
    CHECK(s.answer.substr(0, 2) == "\x12\x34");
    CHECK(s.answer.find(std::string("\x7f\x00\x00\x09", 4)) != std::string::npos);  // A 127.0.0.9
    s = judge_dns_query(query("ok.test"), p, DnsBlockMode::sinkhole);
    CHECK_FALSE(s.answer_now);
    CHECK_FALSE(s.inspection);
    s = judge_dns_query(query("ok.blocked.test"), p, DnsBlockMode::sinkhole);  // trusted over blocked.test
    CHECK_FALSE(s.answer_now);
    REQUIRE(s.inspection);  // reported as trusted, forwarded
    CHECK_FALSE(s.inspection->blocked);
    CHECK(s.inspection->verdict.decision == Decision::trusted);
    REQUIRE(s.inspection->verdict.overridden);
    CHECK(s.inspection->verdict.overridden->entry == "blocked.test");
    CHECK(reportable(*s.inspection));
    CHECK(verdict_report(*s.inspection, Endpoint{}, Endpoint{}, 0).find("\"action\":\"trusted\"") != std::string::npos);
    s = judge_dns_query(query("use-application-dns.net"), p, DnsBlockMode::sinkhole);
    CHECK(s.answer_now);
    CHECK((uint8_t(s.answer[3]) & 0x0f) == 3);  // NXDOMAIN
    s = judge_dns_query("\x12\x34garbage-not-a-query", p, DnsBlockMode::sinkhole);
    CHECK(s.answer_now);
    CHECK(s.answer.empty());  // dropped, not forwarded
    // Notify: reported, forwarded.
    s = judge_dns_query(query("blocked.test"), policy_with("blocked.test\n", false), DnsBlockMode::sinkhole);
    CHECK_FALSE(s.answer_now);
    REQUIRE(s.inspection);
    CHECK_FALSE(s.inspection->blocked);
}

TEST_CASE("worker reports: blocked / notified / refused, as JSON") {
    Inspection in;
    in.protocol = Inspection::Protocol::http;
    in.target.host = "blocked.test";
    in.verdict.decision = Decision::block;
    in.verdict.list = "bad";
    in.verdict.match = Match{MatchKind::domain, Category::phishing, 0, "blocked.test"};
    in.blocked = true;
    CHECK(reportable(in));
    Endpoint client{*vigil::common::parse_ip_address("10.9.0.1"), 40000};
    Endpoint dest{*vigil::common::parse_ip_address("fd09::2"), 80};
    auto v = vigil::json::parse(verdict_report(in, client, dest, 3));
    CHECK(v.find("action")->as_string() == "blocked");
    CHECK(v.find("protocol")->as_string() == "http");
    CHECK(v.find("client")->as_string() == "10.9.0.1:40000");
    CHECK(v.find("destination")->as_string() == "[fd09::2]:80");
    CHECK(v.find("category")->as_string() == "phishing");
    CHECK(v.find("entry")->as_string() == "blocked.test");
    CHECK(v.find("reports_dropped")->as_uint64() == 3);
    in.blocked = false;
    CHECK(vigil::json::parse(verdict_report(in, client, dest, 0)).find("action")->as_string() == "notified");
    Inspection allowed;
    CHECK_FALSE(reportable(allowed));
    allowed.refused = "two Host headers";
    CHECK(reportable(allowed));
    CHECK(vigil::json::parse(verdict_report(allowed, client, dest, 0)).find("action")->as_string() == "refused");
}

TEST_CASE("a trusted address that overrides a list entry is reported as trusted; one that overrides nothing is not") {
    const Policy p = policy_with("blocked.test\n");
    Inspection in;
    in.protocol = Inspection::Protocol::tls;
    in.target.host = "ok.blocked.test";
    in.verdict = judge(*p.lists(), *p.trusted, in.target, kAllCategories);
    REQUIRE(in.verdict.decision == Decision::trusted);
    REQUIRE(in.verdict.overridden);
    CHECK(reportable(in));
    auto v = vigil::json::parse(verdict_report(in, Endpoint{}, Endpoint{}, 0));
    CHECK(v.find("action")->as_string() == "trusted");
    CHECK(v.find("list")->as_string() == "bad");
    CHECK(v.find("entry")->as_string() == "blocked.test");
    CHECK(v.find("trusted_entry")->as_string() == "ok.blocked.test");
    const Policy none = policy_with("other.test\n");
    in.verdict = judge(*none.lists(), *none.trusted, in.target, kAllCategories);
    CHECK(in.verdict.decision == Decision::trusted);
    CHECK_FALSE(reportable(in));
}

TEST_CASE("worker user: numeric uid, never root, unknown names refused") {
    std::string why;
    auto u = resolve_worker_user("64987", why);
    REQUIRE(u);
    CHECK(u->uid == 64987);
    CHECK(u->gid == 64987);
    CHECK_FALSE(resolve_worker_user("0", why));
    CHECK(why.find("must not be root") != std::string::npos);
    CHECK_FALSE(resolve_worker_user("root", why));
    CHECK_FALSE(resolve_worker_user("vigil-no-such-user-x", why));
    CHECK(why.find("does not exist") != std::string::npos);
    CHECK(default_worker_path().find("/../libexec/vigil-web-worker") != std::string::npos);
}

TEST_CASE("SOCKS: targets judged before upstream; SOCKS5 greeting answered by the worker") {
    const Policy p = policy_with("blocked.test\n10.9.0.66\n");
    bool greeted = false;
    // SOCKS4a, a listed name.
    std::string s4("\x04\x01\x00\x50\x00\x00\x00\x01user\x00www.blocked.test\x00", 30);
    SocksStep st = socks_step(s4.substr(0, 10), p, greeted);
    CHECK(st.state == SocksStep::State::need_more);
    st = socks_step(s4, p, greeted);
    REQUIRE(st.state == SocksStep::State::judged);
    CHECK(st.inspection->blocked);
    CHECK(st.inspection->protocol == Inspection::Protocol::socks);
    CHECK(st.upstream_greeting.empty());
    CHECK(st.upstream_rest == s4);
    CHECK(st.inspection->proxy_target == "www.blocked.test:80");
    CHECK(socks_refusal(4) == std::string("\x00\x5b\x00\x00\x00\x00\x00\x00", 8));
    // SOCKS5: the greeting gets "no authentication" once, then the request is judged.
    const std::string greet("\x05\x02\x00\x02", 4);
    st = socks_step(greet, p, greeted);
    CHECK(st.state == SocksStep::State::need_more);
    CHECK(st.reply_to_client == std::string("\x05\x00", 2));
    CHECK(greeted);
    const std::string ok_req = std::string("\x05\x01\x00\x03\x07ok.test\x01\xbb", 14);
    st = socks_step(greet + ok_req, p, greeted);
    REQUIRE(st.state == SocksStep::State::judged);
    CHECK(st.reply_to_client.empty());
    CHECK_FALSE(st.inspection->blocked);
    CHECK(st.upstream_greeting == std::string("\x05\x01\x00", 3));
    CHECK(st.upstream_rest == ok_req);
    // A listed address; greeting and request in one read.
    greeted = false;
    st = socks_step(greet + std::string("\x05\x01\x00\x01\x0a\x09\x00\x42\x00\x50", 10), p, greeted);
    REQUIRE(st.state == SocksStep::State::judged);
    CHECK(st.reply_to_client == std::string("\x05\x00", 2));
    CHECK(st.inspection->blocked);
    CHECK(st.inspection->verdict.match->entry == "10.9.0.66");
    // The report names the address asked for (the event's object), not the proxy.
    CHECK(st.inspection->proxy_target == "10.9.0.66:80");
    const Endpoint proxy{*vigil::common::parse_ip_address("10.9.0.2"), 1080};
    auto report = vigil::json::parse(verdict_report(*st.inspection, Endpoint{}, proxy, 0));
    CHECK(report.find("target")->as_string() == "10.9.0.66:80");
    CHECK(report.find("destination")->as_string() == "10.9.0.2:1080");
    // An IPv6 address (ATYP 4).
    greeted = false;
    std::string v6_req("\x05\x01\x00\x04", 4);
    v6_req += std::string("\xfd\x09", 2) + std::string(13, '\0') + "\x66" + std::string("\x00\x50", 2);
    st = socks_step(greet + v6_req, policy_with("fd09::66\n"), greeted);
    REQUIRE(st.state == SocksStep::State::judged);
    CHECK(st.inspection->blocked);
    CHECK(st.inspection->proxy_target == "[fd09::66]:80");
    // Only authenticated methods: judged by the proxy's address instead.
    greeted = false;
    CHECK(socks_step(std::string("\x05\x01\x02", 3), p, greeted).state == SocksStep::State::unsupported);
    CHECK(socks_step(std::string("\x05\x01\x00\x09\x01\x00\x01\x02", 8), p, greeted).state ==
          SocksStep::State::malformed);
}

TEST_CASE("socket owner: the client's socket found in /proc/net/tcp by client and original destination") {
    const Endpoint c4{*vigil::common::parse_ip_address("10.9.0.1"), 46068}, d4{*vigil::common::parse_ip_address("10.9.0.2"), 80};
    CHECK(proc_net_address(c4, false) == "0100090A:B3F4");
    CHECK(proc_net_address(d4, true) == "0000000000000000FFFF00000200090A:0050");
    const Endpoint c6{*vigil::common::parse_ip_address("fd09::1"), 443}, d6{*vigil::common::parse_ip_address("fd09::2"), 443};
    CHECK(proc_net_address(c6, true) == "000009FD000000000000000001000000:01BB");
    const std::string tcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:3C14 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0\n"
        "   1: 0100090A:B3F4 0200090A:0050 01 00000000:00000000 00:00000000 00000000  1000        0 123456 1 0 20 4 30 10 -1\n";
    const auto o = find_socket_in(tcp, c4, d4, false);
    REQUIRE(o);
    CHECK(o->uid == 1000);
    CHECK(o->inode == 123456);
    CHECK_FALSE(find_socket_in(tcp, d4, c4, false));
    CHECK_FALSE(find_socket_in(tcp, c6, d6, false));
    CHECK_FALSE(find_socket_in("garbage\n\n1: x", c4, d4, false));
    CHECK(socket_process(0, "/nonexistent") == 0);
}

TEST_CASE("socket owner: a live connection found by sock_diag (uid and inode of the client's socket)") {
    const int l = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(l, 1) == 0);
    REQUIRE(::getsockname(l, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    const int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    sockaddr_in local{};
    len = sizeof local;
    REQUIRE(::getsockname(c, reinterpret_cast<sockaddr*>(&local), &len) == 0);
    const auto lo = *vigil::common::parse_ip_address("127.0.0.1");
    const Endpoint client{lo, ntohs(local.sin_port)}, server{lo, ntohs(a.sin_port)};
    struct stat st{};
    REQUIRE(::fstat(c, &st) == 0);
    const auto o = find_socket(client, server);
    REQUIRE(o);
    CHECK(o->uid == ::getuid());
    CHECK(o->inode == st.st_ino);
    CHECK(socket_process(o->inode) == ::getpid());
    CHECK_FALSE(find_socket(Endpoint{lo, 1}, server));  // no such socket
    ::close(c);
    ::close(l);
}

TEST_CASE("static table: listed addresses refused on every protocol after the trusted ones; notify only counts") {
    const std::string st = static_ruleset({true, true, false});
    CHECK(st.find("add set inet vigil_web_static block_v4 { type ipv4_addr; flags interval; }") != std::string::npos);
    CHECK(st.find("add set inet vigil_web_static trusted_v6 { type ipv6_addr; flags interval; }") != std::string::npos);
    const size_t trusted = st.find("ip daddr @trusted_v4 return"),
                 tcp = st.find("ip daddr @block_v4 meta l4proto tcp counter name ip_refused reject with tcp reset"),
                 rest = st.find("ip daddr @block_v4 counter name ip_refused reject with icmpx type admin-prohibited"),
                 quic = st.find("udp dport 443");
    REQUIRE(trusted != std::string::npos);
    REQUIRE(tcp != std::string::npos);
    REQUIRE(rest != std::string::npos);
    CHECK(trusted < tcp);
    CHECK(tcp < rest);
    CHECK(rest < quic);
    CHECK(st.find("ip6 daddr @block_v6 meta l4proto tcp counter name ip_refused reject with tcp reset") != std::string::npos);
    const std::string notify = static_ruleset({false, false, true});
    CHECK(notify.find("ip daddr @block_v4 counter name ip_notified\n") != std::string::npos);
    CHECK(notify.find("ip_refused reject") == std::string::npos);
}

TEST_CASE("address sets: nested prefixes dropped, families apart, one flush per set") {
    using vigil::common::parse_ip_prefix;
    std::vector<vigil::common::IpPrefix> in;
    for (const char* p : {"10.1.2.3", "10.0.0.0/8", "10.1.0.0/16", "192.0.2.1", "192.0.2.1", "2001:db8::/32",
                          "2001:db8::1", "192.0.2.0/31", "0.0.0.0/1", "2001:db9::1"})
        in.push_back(*parse_ip_prefix(p));
    std::vector<std::string> out;
    for (const auto& p : disjoint_prefixes(in)) out.push_back(p.text());
    CHECK(out == std::vector<std::string>{"0.0.0.0/1", "192.0.2.0/31", "2001:db8::/32", "2001:db9::1"});
    const std::string t = set_elements_text(in, {*parse_ip_prefix("10.9.0.0/24")});
    CHECK(t.find("flush set inet vigil_web_static block_v4\nadd element inet vigil_web_static block_v4 { 0.0.0.0/1, 192.0.2.0/31 }\n") !=
          std::string::npos);
    CHECK(t.find("add element inet vigil_web_static block_v6 { 2001:db8::/32, 2001:db9::1 }") != std::string::npos);
    CHECK(t.find("add element inet vigil_web_static trusted_v4 { 10.9.0.0/24 }") != std::string::npos);
    CHECK(t.find("flush set inet vigil_web_static trusted_v6\n") != std::string::npos);
    CHECK(t.find("add element inet vigil_web_static trusted_v6") == std::string::npos);  // nothing to add: flushed only
    // Many elements: split over several commands, all of them kept.
    std::vector<vigil::common::IpPrefix> many;
    for (unsigned i = 0; i < 10000; ++i)
        many.push_back(vigil::common::IpPrefix::of(*vigil::common::parse_ip_address("172.16.0.0"), 32));
    for (unsigned i = 0; i < 10000; ++i) {
        many[i].address.bytes[2] = uint8_t(i >> 8);
        many[i].address.bytes[3] = uint8_t(i);
    }
    const std::string big = set_elements_text(many, {});
    size_t commands = 0;
    for (size_t at = 0; (at = big.find("add element", at)) != std::string::npos; ++at) ++commands;
    CHECK(commands == 3);
    CHECK(big.find("172.16.39.15") != std::string::npos);
}

TEST_CASE("trusted networks skip the redirect, after DNS (names are judged whatever resolver is asked)") {
    RedirectPlan p{64987, 15380, 15353, {80, 8080}, true};
    p.trusted = {*vigil::common::parse_ip_prefix("10.9.0.0/24"), *vigil::common::parse_ip_prefix("10.9.0.7"),
                 *vigil::common::parse_ip_prefix("fd09::/64")};
    const std::string t = redirect_ruleset(p);
    const size_t dns = t.find("th dport 53 redirect"), v4 = t.find("ip daddr { 10.9.0.0/24 } return"),
                 v6 = t.find("ip6 daddr { fd09::/64 } return"), ports = t.find("tcp dport { 80, 8080 } redirect");
    REQUIRE(v4 != std::string::npos);
    REQUIRE(v6 != std::string::npos);
    CHECK(dns < v4);
    CHECK(v6 < ports);
    p.trusted.clear();
    CHECK(redirect_ruleset(p).find("} return") == std::string::npos);
}
