// Who made an intercepted connection. The client's socket still names the
// original destination as its peer (the NAT is invisible to it), so the
// worker asks the kernel for it (sock_diag, an exact lookup by the (client,
// original destination) pair; /proc/net/tcp{,6} where sock_diag is missing):
// its uid and inode. The plugin, which
// runs as root, turns the inode into the process (socket_process()).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "endpoint.hpp"

namespace vigil::web_threat {

struct SocketOwner {
    uint32_t uid = 0;
    uint64_t inode = 0;
};

// "0100007F:0050" (IPv4) / 32 hex digits + port (IPv6), as the kernel prints them.
std::string proc_net_address(const Endpoint& e, bool v6_table);

// Looks the socket up in a /proc/net/tcp text (tests) or the live files.
std::optional<SocketOwner> find_socket_in(std::string_view proc_net_tcp, const Endpoint& local, const Endpoint& remote,
                                          bool v6_table);
std::optional<SocketOwner> find_socket(const Endpoint& local, const Endpoint& remote);

// The process holding socket `inode` (scans /proc/<pid>/fd); 0 when not found.
pid_t socket_process(uint64_t inode, const std::string& proc_root = "/proc");

}  // namespace vigil::web_threat
