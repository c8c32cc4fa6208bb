#include "nft_probe.hpp"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::network_threat {

std::optional<bool> nft_inet_table_exists(std::string_view name) {
    if (name.empty() || name.size() >= 64) return std::nullopt;
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) return std::nullopt;
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct {
        nlmsghdr h;
        nfgenmsg g;
        nlattr a;
        char name[64];
    } req{};
    const size_t attr_len = sizeof(nlattr) + name.size() + 1;
    req.h.nlmsg_len = uint32_t(NLMSG_LENGTH(sizeof(nfgenmsg)) + NLA_ALIGN(attr_len));
    req.h.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req.h.nlmsg_seq = 1;
    req.g.nfgen_family = NFPROTO_INET;
    req.g.version = NFNETLINK_V0;
    req.a.nla_len = uint16_t(attr_len);
    req.a.nla_type = NFTA_TABLE_NAME;
    std::memcpy(req.name, name.data(), name.size());
    std::optional<bool> result;
    if (::send(fd, &req, req.h.nlmsg_len, 0) == ssize_t(req.h.nlmsg_len)) {
        alignas(nlmsghdr) char buf[8192];
        // The answer is the table (NEWTABLE) and then the acknowledgement, or an error.
        for (int round = 0; round < 4 && !result; ++round) {
            ssize_t got = ::recv(fd, buf, sizeof buf, 0);
            if (got <= 0) break;
            unsigned len = unsigned(got);
            for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
                if (h->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE)) {
                    result = true;
                    break;
                }
                if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr))) {
                    const int err = reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
                    if (err == -ENOENT) result = false;
                    if (err != 0) break;
                }
            }
        }
    }
    ::close(fd);
    return result;
}

}  // namespace vigil::network_threat
