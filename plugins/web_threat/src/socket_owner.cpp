#include "socket_owner.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <vigil/common/lines.hpp>
#include <vigil/common/small_file.hpp>
#include <vigil/common/sock_diag.hpp>

namespace vigil::web_threat {

std::string proc_net_address(const Endpoint& e, bool v6_table) {
    common::IpAddress ip = e.ip;
    if (v6_table && ip.is_v4()) {  // a v4 peer of an IPv6 socket: ::ffff:a.b.c.d
        common::IpAddress m;
        m.family = common::IpAddress::Family::v6;
        m.bytes[10] = m.bytes[11] = 0xff;
        for (int i = 0; i < 4; ++i) m.bytes[12 + i] = ip.bytes[i];
        ip = m;
    }
    std::string out;
    char hex[3];
    // Each 32-bit word is printed as a host-order (little-endian) number.
    for (unsigned word = 0; word < ip.bits() / 32; ++word)
        for (int i = 3; i >= 0; --i) {
            std::snprintf(hex, sizeof hex, "%02X", ip.bytes[word * 4 + unsigned(i)]);
            out += hex;
        }
    char port[6];
    std::snprintf(port, sizeof port, "%04X", e.port);
    return out + ":" + port;
}

std::optional<SocketOwner> find_socket_in(std::string_view text, const Endpoint& local, const Endpoint& remote,
                                          bool v6_table) {
    if (!v6_table && (local.ip.is_v6() || remote.ip.is_v6())) return std::nullopt;
    const std::string l = proc_net_address(local, v6_table), r = proc_net_address(remote, v6_table);
    for (std::string_view line : common::split_lines(text)) {
        // sl local rem st queues timer retrnsmt uid timeout inode
        std::string_view f[10];
        size_t n = 0, pos = 0;
        while (n < 10) {
            pos = line.find_first_not_of(' ', pos);
            if (pos == std::string_view::npos) break;
            const size_t end = std::min(line.find(' ', pos), line.size());
            f[n++] = line.substr(pos, end - pos);
            pos = end;
        }
        if (n < 10 || f[1] != l || f[2] != r) continue;
        SocketOwner o;
        std::from_chars(f[7].data(), f[7].data() + f[7].size(), o.uid);
        std::from_chars(f[9].data(), f[9].data() + f[9].size(), o.inode);
        return o;
    }
    return std::nullopt;
}

namespace {

// The address as inet_diag holds it for `family`: 4 bytes, or 16 with an
// IPv4 peer of an IPv6 socket written as ::ffff:a.b.c.d.
void diag_address(const common::IpAddress& ip, int family, uint32_t out[4]) {
    uint8_t b[16] = {};
    if (family == AF_INET) {
        std::memcpy(b, ip.bytes.data(), 4);
    } else if (ip.is_v4()) {
        b[10] = b[11] = 0xff;
        std::memcpy(b + 12, ip.bytes.data(), 4);
    } else {
        std::memcpy(b, ip.bytes.data(), 16);
    }
    std::memcpy(out, b, sizeof b);
}

// One socket by its exact addresses: the kernel looks it up in its hash
// table (no listing of every socket, unlike reading /proc/net/tcp, which
// took a second with thousands of sockets and held up an event loop).
std::optional<SocketOwner> diag_lookup(int fd, int family, const Endpoint& local, const Endpoint& remote) {
    auto r = common::tcp_diag_request(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, family);
    r.req.id.idiag_sport = htons(local.port);
    r.req.id.idiag_dport = htons(remote.port);
    diag_address(local.ip, family, r.req.id.idiag_src);
    diag_address(remote.ip, family, r.req.id.idiag_dst);
    r.req.id.idiag_cookie[0] = r.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    std::optional<SocketOwner> out;
    common::inet_diag_exchange(fd, r, [&](const inet_diag_msg& m, uint32_t) {
        const auto e = common::tcp_diag_entry(m);
        out = SocketOwner{e.uid, e.inode};
    });
    return out;
}

}  // namespace

std::optional<SocketOwner> find_socket(const Endpoint& local, const Endpoint& remote) {
    const common::UniqueFd fd = common::open_sock_diag();
    if (fd.valid()) {
        if (local.ip.is_v4() && remote.ip.is_v4())
            if (auto o = diag_lookup(fd.get(), AF_INET, local, remote)) return o;
        return diag_lookup(fd.get(), AF_INET6, local, remote);
    }
    // No sock_diag (a kernel without it): the slow listing.
    constexpr size_t kMax = 8u << 20;
    if (local.ip.is_v4())
        if (auto o = find_socket_in(common::read_file_or_empty("/proc/net/tcp", kMax), local, remote, false)) return o;
    return find_socket_in(common::read_file_or_empty("/proc/net/tcp6", kMax), local, remote, true);
}

pid_t socket_process(uint64_t inode, const std::string& proc_root) {
    const std::string want = "socket:[" + std::to_string(inode) + "]";
    DIR* procs = ::opendir(proc_root.c_str());
    if (!procs) return 0;
    pid_t found = 0;
    char target[64];
    while (dirent* p = ::readdir(procs)) {
        if (found || p->d_name[0] < '1' || p->d_name[0] > '9') continue;
        const std::string fd_dir = proc_root + "/" + p->d_name + "/fd";
        DIR* fds = ::opendir(fd_dir.c_str());
        if (!fds) continue;
        while (dirent* f = ::readdir(fds)) {
            const ssize_t n = ::readlinkat(::dirfd(fds), f->d_name, target, sizeof target);
            if (n == ssize_t(want.size()) && want.compare(0, want.size(), target, size_t(n)) == 0) {
                found = pid_t(std::atoi(p->d_name));
                break;
            }
        }
        ::closedir(fds);
    }
    ::closedir(procs);
    return found;
}

}  // namespace vigil::web_threat
