#pragma once
// Listing and destroying TCP sockets through NETLINK_SOCK_DIAG (inet_diag): one
// request/receive/parse loop for the behavior sensor that watches connections and
// the isolation plugin that cuts them.

#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "safe_fs.hpp"

namespace vigil::common {

// A NETLINK_SOCK_DIAG socket; not valid() (errno set) when the kernel refused it.
UniqueFd open_sock_diag();

struct InetDiagRequest {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
};

// A request about the TCP sockets of `family` in every state: SOCK_DIAG_BY_FAMILY with
// NLM_F_DUMP lists them; SOCK_DESTROY with NLM_F_ACK, after filling req.id, ends one.
InetDiagRequest tcp_diag_request(uint16_t type, uint16_t flags, int family);

// Sends `r` and calls `each` with every inet_diag_msg of the answer and its netlink
// length (attributes follow the message), until the dump ends or, for a request
// without NLM_F_DUMP, after the first answer. Returns "" or what failed (errno text,
// or the kernel's error for the request).
std::string inet_diag_exchange(int fd, const InetDiagRequest& r,
                               const std::function<void(const inet_diag_msg&, uint32_t)>& each);

// The fields of an inet_diag_msg every caller reads: ports in host byte order,
// addresses as the kernel gives them (the first 4 bytes for AF_INET).
struct TcpDiagEntry {
    uint8_t family = 0, state = 0;  // AF_INET / AF_INET6, TCP_ESTABLISHED ...
    uint16_t local_port = 0, remote_port = 0;
    std::array<uint8_t, 16> local{}, remote{};
    uint32_t uid = 0;
    uint64_t inode = 0;  // 0 for sockets no process holds (TIME_WAIT, orphans)
};
TcpDiagEntry tcp_diag_entry(const inet_diag_msg& m);

}  // namespace vigil::common
