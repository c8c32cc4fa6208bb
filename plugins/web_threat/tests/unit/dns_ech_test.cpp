#include <doctest/doctest.h>

#include <string>

#include "dns_ech.hpp"
#include "dns_forwarder.hpp"

using namespace vigil::web_threat;

namespace {

std::string be(size_t v) { return {char(v >> 8 & 255), char(v & 255)}; }

std::string param(uint16_t key, const std::string& value) { return be(key) + be(value.size()) + value; }

const std::string kAlpn = param(1, "\x02h2"), kHint = param(4, std::string("\x0a\x09\x00\x02", 4));
const std::string kEch = param(5, "ECHCONFIGLIST-BYTES");

// A record: owner, type, class IN, TTL 60, RDATA.
std::string rr(const std::string& owner, uint16_t type, const std::string& rdata) {
    return owner + be(type) + be(1) + std::string("\0\0\0\x3c", 4) + be(rdata.size()) + rdata;
}

// An HTTPS/SVCB record for the question's name: priority 1, target ".".
std::string svcb(const std::string& params, uint16_t type = kDnsHTTPS, const std::string& owner = "\xc0\x0c") {
    return rr(owner, type, be(1) + std::string(1, '\0') + params);
}

const std::string kQuestion = std::string("\x03" "ech\x04test\x00", 10) + be(kDnsHTTPS) + be(1);

// An answer to "ech.test HTTPS" with `records` after the question.
std::string answer(const std::string& records, size_t an, size_t ns = 0, size_t ar = 0, uint16_t flags = 0x8180) {
    return be(0x4242) + be(flags) + be(1) + be(an) + be(ns) + be(ar) + kQuestion + records;
}

EchStrip strip(const std::string& in, std::string& out) {
    out = "untouched";
    return strip_ech(in, out);
}

}  // namespace

TEST_CASE("ECH: the ech param goes wherever it stands, everything else stays byte for byte") {
    const std::string want = answer(svcb(kAlpn + kHint), 1);
    for (const std::string& params : {kEch + kAlpn + kHint, kAlpn + kEch + kHint, kAlpn + kHint + kEch}) {
        std::string out;
        const EchStrip s = strip(answer(svcb(params), 1), out);
        CHECK(s.result == EchStrip::Result::stripped);
        CHECK(s.records == 1);
        CHECK(out == want);
    }
}

TEST_CASE("ECH: every HTTPS and SVCB record in every section; others untouched; no ech: unchanged") {
    const std::string a = rr("\xc0\x0c", 1, std::string("\x0a\x09\x00\x02", 4));
    const std::string in = answer(svcb(kAlpn + kEch) + a + svcb(kEch) + svcb(kEch + kHint, kDnsSVCB) +
                                      rr(std::string(1, '\0'), 41, ""),
                                  3, 0, 2);
    const std::string want = answer(svcb(kAlpn) + a + svcb("") + svcb(kHint, kDnsSVCB) + rr(std::string(1, '\0'), 41, ""),
                                    3, 0, 2);
    std::string out;
    const EchStrip s = strip(in, out);
    CHECK(s.result == EchStrip::Result::stripped);
    CHECK(s.records == 3);
    CHECK(out == want);
    CHECK(strip(want, out).result == EchStrip::Result::unchanged);
    CHECK(out == "untouched");
}

TEST_CASE("ECH: compression pointers behind the removed bytes move with them") {
    // Answer 2 is a CNAME whose target "cdn.example" is written out after
    // the HTTPS record; answer 3 (an A record) points to that name, and so
    // does the target of an SVCB record in the additional section.
    auto build = [](const std::string& params) {
        const std::string head = answer(svcb(params), 3, 0, 1);
        const size_t cname_rdata = head.size() + 12;  // owner pointer (2) + type..rdlength (10)
        const std::string cname = rr("\xc0\x0c", 5, std::string("\x03" "cdn\x07" "example\x00", 13));
        const std::string ptr = "\xc0" + std::string(1, char(cname_rdata));
        const std::string a = rr(ptr, 1, std::string("\x0a\x09\x00\x02", 4));
        const std::string add = rr(ptr, kDnsSVCB, be(1) + ptr + kAlpn);
        return head + cname + a + add;
    };
    std::string out;
    const std::string in = build(kAlpn + kEch);
    const EchStrip s = strip(in, out);
    CHECK(s.result == EchStrip::Result::stripped);
    CHECK(out == build(kAlpn));
    // Pointers before the removed bytes (to the question) stay as they were.
    CHECK(out.substr(12 + kQuestion.size(), 2) == "\xc0\x0c");
}

TEST_CASE("ECH: a pointer into the removed bytes or a malformed answer is refused, never half-rewritten") {
    std::string out;
    const std::string head = answer(svcb(kEch), 2);
    const size_t inside = head.size() - kEch.size() + 6;  // within the ech value
    const std::string into = head + rr("\xc0" + std::string(1, char(inside)), 1, std::string(4, '\x01'));
    EchStrip s = strip(into, out);
    CHECK(s.result == EchStrip::Result::malformed);
    CHECK(s.why == "compression pointer into a removed ech param");
    CHECK(out == "untouched");

    std::string overlong = svcb(kAlpn + kEch);
    overlong[overlong.size() - kEch.size() + 3] = char(200);  // ech length past its record
    CHECK(strip(answer(overlong, 1), out).result == EchStrip::Result::malformed);
    const std::string cut = svcb(kAlpn + kEch);
    const std::string short_param = rr("\xc0\x0c", kDnsHTTPS, be(1) + std::string(1, '\0') + kAlpn + std::string("\x00\x05\x00", 3));
    s = strip(answer(short_param, 1), out);
    CHECK(s.result == EchStrip::Result::malformed);
    CHECK(s.why == "truncated SvcParam");
    CHECK(strip(answer(cut.substr(0, cut.size() - 3), 1), out).result == EchStrip::Result::malformed);
    CHECK(strip(answer(svcb(kEch), 2), out).why == "truncated name");  // one record short
    CHECK(strip(answer(svcb(kEch, kDnsHTTPS, "\xc0\x7f"), 1), out).why ==
          "compression pointer not pointing back into the message");
    CHECK(strip(answer(svcb(kEch, kDnsHTTPS, "\x80x"), 1), out).why == "extended label type in a name");
    CHECK(strip("\x42\x42\x81\x80", out).result == EchStrip::Result::malformed);
    CHECK(out == "untouched");
}

TEST_CASE("ECH: a truncated (TC) answer that cannot be walked keeps TC without records") {
    std::string out;
    const std::string in = answer(svcb(kAlpn + kEch), 2, 0, 0, 0x8380);
    const EchStrip s = strip(in, out);
    CHECK(s.result == EchStrip::Result::truncated);
    CHECK(out == answer("", 0, 0, 0, 0x8380));
}

TEST_CASE("SERVFAIL keeps the id, RD and the question; the forwarder answers it for an answer it cannot walk") {
    const std::string query = be(0x4242) + be(0x0100) + be(1) + be(0) + be(0) + be(0) + kQuestion;
    CHECK(dns_servfail(query) == be(0x4242) + be(0x8182) + be(1) + be(0) + be(0) + be(0) + kQuestion);
    CHECK(dns_servfail("\x01\x02") == "");
    DnsConfig config;
    std::string scratch;
    const std::string bad = answer(svcb(kEch), 2), good = answer(svcb(kAlpn + kEch), 1);
    CHECK(client_answer(bad, query, config, nullptr, scratch) == dns_servfail(query));
    CHECK(client_answer(good, query, config, nullptr, scratch) == answer(svcb(kAlpn), 1));
    const std::string plain = answer(svcb(kAlpn), 1);
    CHECK(client_answer(plain, query, config, nullptr, scratch).data() == plain.data());
    config.strip_ech = false;
    CHECK(client_answer(good, query, config, nullptr, scratch) == good);
}
