#include <doctest/doctest.h>

#include <string>

#include "dns_message.hpp"

using namespace vigil::web_threat;

namespace {

std::string query(const std::string& name, uint16_t qtype, uint16_t id = 0x1234, bool edns = false) {
    std::string m{char(id >> 8), char(id & 255), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, char(edns ? 1 : 0)};
    size_t start = 0;
    while (start <= name.size()) {
        const size_t dot = name.find('.', start);
        const std::string label = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        m.push_back(char(label.size()));
        m += label;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    m.push_back(0);
    m += std::string{char(qtype >> 8), char(qtype & 255), 0, 1};
    if (edns) m += std::string("\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
    return m;
}

}  // namespace

TEST_CASE("a DNS query's name and type; malformed queries are named") {
    DnsQuery q;
    std::string why;
    REQUIRE(parse_dns_query(query("WWW.Blocked.Test", kDnsA, 7, true), q, why));
    CHECK(q.name == "www.blocked.test");
    CHECK(q.qtype == kDnsA);
    CHECK(q.id == 7);
    std::string m = query("x.test", kDnsA);
    m[12] = char(0xc0);  // a compression pointer in the question
    CHECK_FALSE(parse_dns_query(m, q, why));
    CHECK(why == "compressed or extended label in a question");
    m = query("x.test", kDnsA);
    m[2] = char(0x81);  // a response
    CHECK_FALSE(parse_dns_query(m, q, why));
    CHECK_FALSE(parse_dns_query(query("x.test", kDnsA).substr(0, 16), q, why));
    CHECK(why == "truncated label");
    CHECK_FALSE(parse_dns_query(query(std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') +
                                          "." + std::string(63, 'd'), kDnsA), q, why));
    CHECK(why == "name longer than 255 bytes");
}

TEST_CASE("answers for blocked names: sinkhole A, no AAAA or HTTPS data, null and NXDOMAIN modes") {
    DnsQuery q;
    std::string why;
    const std::string a = query("blocked.test", kDnsA);
    REQUIRE(parse_dns_query(a, q, why));
    std::string r = dns_block_answer(a, q, DnsBlockMode::sinkhole);
    CHECK(r.substr(0, 2) == a.substr(0, 2));                 // same id
    CHECK((uint8_t(r[2]) & 0x80) != 0);                       // a response
    CHECK((uint8_t(r[3]) & 0x0f) == 0);                       // NOERROR
    CHECK(r.substr(12, q.question_end - 12) == a.substr(12, q.question_end - 12));
    CHECK(r[7] == 1);                                         // one answer
    CHECK(r.substr(r.size() - 4) == std::string("\x7f\x00\x00\x09", 4));

    for (uint16_t t : {kDnsAAAA, kDnsHTTPS, kDnsSVCB}) {
        const std::string m = query("blocked.test", t);
        REQUIRE(parse_dns_query(m, q, why));
        r = dns_block_answer(m, q, DnsBlockMode::sinkhole);
        CHECK(r[7] == 0);  // NODATA
        CHECK(r.size() == q.question_end);
    }
    const std::string six = query("blocked.test", kDnsAAAA);
    REQUIRE(parse_dns_query(six, q, why));
    r = dns_block_answer(six, q, DnsBlockMode::null);
    CHECK(r.substr(r.size() - 16) == std::string(16, '\0'));
    r = dns_block_answer(six, q, DnsBlockMode::nxdomain);
    CHECK((uint8_t(r[3]) & 0x0f) == 3);
    CHECK(is_doh_canary("use-application-dns.net"));
}
