#include "nflog_socket.hpp"

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vigil/common/errno_text.hpp>

namespace vigil::network_threat {

namespace {
constexpr size_t kReceiveBuffer = 256 * 1024;
constexpr int kSocketBuffer = 8 * 1024 * 1024;
constexpr uint32_t kKernelBatchBytes = 128 * 1024;  // the kernel's largest batch
constexpr uint32_t kFlushTimeout = 2;               // 1/100 s: detections stay well under a second
constexpr uint32_t kQueueThreshold = 64;
}  // namespace

NflogSocket::NflogSocket(uint16_t group, uint32_t copy_range) : group_(group), buf_(kReceiveBuffer) {
    fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
    if (fd_ < 0) throw common::sys_error("NFLOG: cannot open a netfilter netlink socket");
    // A large buffer absorbs bursts; SO_RCVBUFFORCE needs CAP_NET_ADMIN, which we have.
    if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &kSocketBuffer, sizeof kSocketBuffer) != 0)
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof kSocketBuffer);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd_);
        throw common::sys_error("NFLOG: cannot bind the netlink socket", err);
    }
    try {
        const nfulnl_msg_config_cmd bind_cmd{NFULNL_CFG_CMD_BIND};
        config(NFULA_CFG_CMD, &bind_cmd, sizeof bind_cmd);
        nfulnl_msg_config_mode mode{};
        mode.copy_range = htonl(copy_range);
        mode.copy_mode = NFULNL_COPY_PACKET;
        config(NFULA_CFG_MODE, &mode, sizeof mode);
        const uint32_t nlbufsiz = htonl(kKernelBatchBytes), timeout = htonl(kFlushTimeout),
                       qthresh = htonl(kQueueThreshold);
        config(NFULA_CFG_NLBUFSIZ, &nlbufsiz, sizeof nlbufsiz);
        config(NFULA_CFG_TIMEOUT, &timeout, sizeof timeout);
        config(NFULA_CFG_QTHRESH, &qthresh, sizeof qthresh);
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

NflogSocket::~NflogSocket() {
    if (fd_ < 0) return;
    const nfulnl_msg_config_cmd unbind{NFULNL_CFG_CMD_UNBIND};
    try {
        config(NFULA_CFG_CMD, &unbind, sizeof unbind);
    } catch (...) {
    }
    ::close(fd_);
}

// Sends one config attribute to the kernel and waits for its acknowledgement.
void NflogSocket::config(uint8_t attr_type, const void* value, size_t len) {
    struct {
        nlmsghdr h;
        nfgenmsg g;
        nlattr a;
        uint8_t data[64];
    } req{};
    req.h.nlmsg_len = uint32_t(NLMSG_LENGTH(sizeof(nfgenmsg)) + NLA_ALIGN(sizeof(nlattr) + len));
    req.h.nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req.h.nlmsg_seq = ++seq_;
    req.g.nfgen_family = AF_UNSPEC;
    req.g.version = NFNETLINK_V0;
    req.g.res_id = htons(group_);
    req.a.nla_len = uint16_t(sizeof(nlattr) + len);
    req.a.nla_type = attr_type;
    std::memcpy(req.data, value, len);
    if (::send(fd_, &req, req.h.nlmsg_len, 0) < 0)
        throw common::sys_error("NFLOG: cannot configure group " + std::to_string(group_));
    // The acknowledgement (an NLMSG_ERROR with error 0) may wait behind nothing else yet.
    for (int tries = 0; tries < 100; ++tries) {
        const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
        if (n < 0 && errno == EAGAIN) {
            ::usleep(1000);
            continue;
        }
        if (n < 0) throw common::sys_error("NFLOG: no answer configuring group " + std::to_string(group_));
        const auto* h = reinterpret_cast<const nlmsghdr*>(buf_.data());
        if (size_t(n) < sizeof(nlmsghdr) + sizeof(nlmsgerr) || h->nlmsg_type != NLMSG_ERROR ||
            h->nlmsg_seq != seq_)
            continue;
        const auto* e = reinterpret_cast<const nlmsgerr*>(NLMSG_DATA(h));
        if (e->error == 0) return;
        throw common::sys_error(
            "NFLOG: the kernel refused the configuration of group " + std::to_string(group_) +
                (e->error == -EBUSY ? " (another program listens on it; choose another nflog_group)" : ""),
            -e->error);
    }
    throw std::runtime_error("NFLOG: no acknowledgement configuring group " + std::to_string(group_));
}

std::span<const uint8_t> NflogSocket::receive() {
    for (;;) {
        const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
        if (n > 0) return {buf_.data(), size_t(n)};
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENOBUFS) {
            ++lost_;  // the kernel dropped messages; the next receive has newer ones
            continue;
        }
        return {};
    }
}

}  // namespace vigil::network_threat
