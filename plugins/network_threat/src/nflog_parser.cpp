#include "nflog_parser.hpp"

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>

#include <cstring>

namespace vigil::network_threat {

namespace {

constexpr size_t align4(size_t n) { return (n + 3) & ~size_t(3); }

uint32_t be32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
uint64_t be64(const uint8_t* p) { return uint64_t(be32(p)) << 32 | be32(p + 4); }

void take_attribute(uint16_t type, std::span<const uint8_t> v, NflogRecord& out) {
    switch (type) {
        case NFULA_PACKET_HDR:
            if (v.size() >= 3) out.hook = v[2];
            break;
        case NFULA_IFINDEX_INDEV:
            if (v.size() >= 4) out.in_ifindex = be32(v.data());
            break;
        case NFULA_TIMESTAMP:
            if (v.size() >= 16)
                out.timestamp_ns = int64_t(be64(v.data()) * 1000000000ull + be64(v.data() + 8) * 1000ull);
            break;
        case NFULA_PREFIX: {
            // NUL-terminated by the kernel; never trust that it is.
            size_t n = 0;
            while (n < v.size() && v[n] != 0) ++n;
            out.prefix = std::string_view(reinterpret_cast<const char*>(v.data()), n);
            break;
        }
        case NFULA_PAYLOAD:
            out.payload = v;
            break;
        default:
            break;
    }
}

}  // namespace

bool is_nflog_packet_type(uint16_t type) { return type == ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET); }
bool is_netlink_error_type(uint16_t type) { return type == NLMSG_ERROR; }

size_t next_netlink_message(std::span<const uint8_t> buffer, uint16_t& type, std::span<const uint8_t>& body,
                            bool& malformed) {
    malformed = false;
    if (buffer.size() < sizeof(nlmsghdr)) {
        malformed = !buffer.empty();
        return 0;
    }
    nlmsghdr h;
    std::memcpy(&h, buffer.data(), sizeof h);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > buffer.size()) {
        malformed = true;
        return 0;
    }
    type = h.nlmsg_type;
    body = buffer.subspan(sizeof(nlmsghdr), h.nlmsg_len - sizeof(nlmsghdr));
    const size_t used = align4(h.nlmsg_len);
    return used > buffer.size() ? buffer.size() : used;
}

bool parse_nflog_packet(std::span<const uint8_t> body, NflogRecord& out) {
    out = NflogRecord{};
    if (body.size() < sizeof(nfgenmsg)) return false;
    nfgenmsg g;
    std::memcpy(&g, body.data(), sizeof g);
    out.family = g.nfgen_family;
    out.group = ntohs(g.res_id);
    size_t pos = align4(sizeof(nfgenmsg));
    while (pos + sizeof(nlattr) <= body.size()) {
        nlattr a;
        std::memcpy(&a, body.data() + pos, sizeof a);
        if (a.nla_len < sizeof(nlattr) || pos + a.nla_len > body.size()) return false;
        take_attribute(a.nla_type & NLA_TYPE_MASK,
                       body.subspan(pos + sizeof(nlattr), a.nla_len - sizeof(nlattr)), out);
        pos += align4(a.nla_len);
    }
    return !out.payload.empty();
}

}  // namespace vigil::network_threat
