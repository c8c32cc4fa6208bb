#include "nflog_parser.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>

#include <cstring>
#include <string>
#include <vector>

using namespace vigil::network_threat;

namespace {

void attr(std::vector<uint8_t>& b, uint16_t type, const void* data, size_t n) {
    nlattr a{uint16_t(sizeof(nlattr) + n), type};
    const size_t at = b.size();
    b.resize(at + ((sizeof a + n + 3) & ~size_t(3)), 0);
    std::memcpy(b.data() + at, &a, sizeof a);
    std::memcpy(b.data() + at + sizeof a, data, n);
}

std::vector<uint8_t> message(uint16_t group, const std::string& prefix, const std::vector<uint8_t>& payload,
                             uint16_t type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) {
    std::vector<uint8_t> body(sizeof(nfgenmsg), 0);
    nfgenmsg g{2, NFNETLINK_V0, htons(group)};
    std::memcpy(body.data(), &g, sizeof g);
    nfulnl_msg_packet_hdr h{htons(0x0800), 1, 0};
    attr(body, NFULA_PACKET_HDR, &h, sizeof h);
    uint32_t ifi = htonl(7);
    attr(body, NFULA_IFINDEX_INDEV, &ifi, 4);
    attr(body, NFULA_PREFIX, prefix.c_str(), prefix.size() + 1);
    attr(body, NFULA_PAYLOAD, payload.data(), payload.size());
    nlmsghdr n{};
    n.nlmsg_len = uint32_t(sizeof n + body.size());
    n.nlmsg_type = type;
    std::vector<uint8_t> out(sizeof n);
    std::memcpy(out.data(), &n, sizeof n);
    out.insert(out.end(), body.begin(), body.end());
    while (out.size() % 4) out.push_back(0);
    return out;
}

}  // namespace

TEST_CASE("nflog: a buffer with several packet messages") {
    auto buf = message(6150, "vnt:closed", {0x45, 1, 2, 3});
    auto second = message(6150, "vnt:land", {0x60, 9});
    buf.insert(buf.end(), second.begin(), second.end());
    NflogParseStats st;
    std::vector<std::string> prefixes;
    std::vector<size_t> sizes;
    parse_nflog_buffer(buf, st, [&](const NflogRecord& r) {
        prefixes.emplace_back(r.prefix);
        sizes.push_back(r.payload.size());
        CHECK(r.group == 6150);
        CHECK(r.in_ifindex == 7);
        CHECK(r.hook == 1);
    });
    CHECK(st.records == 2);
    CHECK(st.malformed == 0);
    CHECK(prefixes == std::vector<std::string>{"vnt:closed", "vnt:land"});
    CHECK(sizes == std::vector<size_t>{4, 2});
}

TEST_CASE("nflog: lying lengths stop the walk, unknown messages are skipped") {
    auto buf = message(1, "vnt:closed", {0x45});
    auto bad = buf;
    nlmsghdr n;
    std::memcpy(&n, bad.data(), sizeof n);
    n.nlmsg_len = 100000;
    std::memcpy(bad.data(), &n, sizeof n);
    NflogParseStats st;
    int calls = 0;
    parse_nflog_buffer(bad, st, [&](const NflogRecord&) { ++calls; });
    CHECK(calls == 0);
    CHECK(st.malformed == 1);

    // An attribute longer than its message.
    auto attr_bad = buf;
    const size_t first_attr = sizeof(nlmsghdr) + sizeof(nfgenmsg);
    nlattr a;
    std::memcpy(&a, attr_bad.data() + first_attr, sizeof a);
    a.nla_len = 4000;
    std::memcpy(attr_bad.data() + first_attr, &a, sizeof a);
    st = {};
    parse_nflog_buffer(attr_bad, st, [&](const NflogRecord&) { ++calls; });
    CHECK(calls == 0);
    CHECK(st.malformed == 1);

    // A message of another type is not a record; an error message is counted.
    auto other = message(1, "x", {0x45}, (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG);
    auto err = message(1, "x", {0x45}, NLMSG_ERROR);
    other.insert(other.end(), err.begin(), err.end());
    st = {};
    parse_nflog_buffer(other, st, [&](const NflogRecord&) { ++calls; });
    CHECK(calls == 0);
    CHECK(st.errors == 1);
    // A prefix without its NUL stays within the attribute.
    auto nonul = message(1, "vnt:closed", {0x45});
    NflogRecord r;
    CHECK(parse_nflog_packet(std::span(nonul).subspan(sizeof(nlmsghdr)), r));
    CHECK(r.prefix == "vnt:closed");
}
