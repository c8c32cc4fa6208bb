#include "vigil/common/sock_diag.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "vigil/common/errno_text.hpp"

namespace vigil::common {

UniqueFd open_sock_diag() {
    return UniqueFd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
}

InetDiagRequest tcp_diag_request(uint16_t type, uint16_t flags, int family) {
    InetDiagRequest r{};
    r.nlh.nlmsg_len = sizeof r;
    r.nlh.nlmsg_type = type;
    r.nlh.nlmsg_flags = flags;
    r.req.sdiag_family = uint8_t(family);
    r.req.sdiag_protocol = IPPROTO_TCP;
    r.req.idiag_states = ~0u;
    return r;
}

std::string inet_diag_exchange(int fd, const InetDiagRequest& r,
                               const std::function<void(const inet_diag_msg&, uint32_t)>& each) {
    sockaddr_nl nl{};
    nl.nl_family = AF_NETLINK;
    if (::sendto(fd, &r, sizeof r, 0, reinterpret_cast<sockaddr*>(&nl), sizeof nl) < 0)
        return errno_text(errno);
    // A dump answer is at most 32 KiB a datagram (the kernel's cap for dumps).
    std::vector<char> buf(1 << 16);
    for (;;) {
        ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_text(errno);
        if (n == 0) return "netlink socket closed";
        int len = int(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) return "";
            if (h->nlmsg_type == NLMSG_ERROR) {
                const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
                return err->error == 0 ? "" : errno_text(-err->error);
            }
            each(*static_cast<const inet_diag_msg*>(NLMSG_DATA(h)), h->nlmsg_len);
        }
        if (!(r.nlh.nlmsg_flags & NLM_F_DUMP)) return "";
    }
}

TcpDiagEntry tcp_diag_entry(const inet_diag_msg& m) {
    TcpDiagEntry e;
    e.family = m.idiag_family;
    e.state = m.idiag_state;
    e.local_port = ntohs(m.id.idiag_sport);
    e.remote_port = ntohs(m.id.idiag_dport);
    std::memcpy(e.local.data(), m.id.idiag_src, e.family == AF_INET ? 4 : 16);
    std::memcpy(e.remote.data(), m.id.idiag_dst, e.family == AF_INET ? 4 : 16);
    e.uid = m.idiag_uid;
    e.inode = m.idiag_inode;
    return e;
}

}  // namespace vigil::common
