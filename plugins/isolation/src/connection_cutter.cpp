#include "connection_cutter.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <vigil/common/errno_text.hpp>
#include <vigil/common/sock_diag.hpp>

#include "ruleset.hpp"

namespace vigil::isolation {

std::string TcpSocket::text() const {
    char l[INET6_ADDRSTRLEN] = {}, r[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, local.data(), l, sizeof l);
    inet_ntop(family, remote.data(), r, sizeof r);
    return std::string(l) + ":" + std::to_string(local_port) + " -> " + r + ":" + std::to_string(remote_port);
}

std::set<uint64_t> cgroup_ids_on_host(const std::string& path) {
    std::set<uint64_t> ids;
    const std::string mount = cgroup2_mount_point();
    if (mount.empty()) return ids;
    std::error_code ec;
    const std::filesystem::path root = std::filesystem::path(mount) / path;
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return ids;
    ids.insert(st.st_ino);
    for (std::filesystem::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && ::stat(it->path().c_str(), &st) == 0) ids.insert(st.st_ino);
    return ids;
}

namespace {

// A v4-mapped IPv6 socket talks IPv4 on the wire; the rules see it as IPv4.
void unmap_v4(int& family, std::array<uint8_t, 16>& a) {
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family == AF_INET6 && std::memcmp(a.data(), prefix, 12) == 0) {
        std::array<uint8_t, 16> v4{};
        std::memcpy(v4.data(), a.data() + 12, 4);
        a = v4;
        family = AF_INET;
    }
}

bool in_cidr(int family, const std::array<uint8_t, 16>& addr, const Cidr& c) {
    if (family != c.family) return false;
    for (int bit = 0; bit < c.prefix; ++bit) {
        const uint8_t mask = uint8_t(0x80u >> (bit % 8));
        if ((addr[size_t(bit / 8)] & mask) != (c.bytes[size_t(bit / 8)] & mask)) return false;
    }
    return true;
}

bool is_loopback(int family, const std::array<uint8_t, 16>& a) {
    if (family == AF_INET) return a[0] == 127;
    static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::memcmp(a.data(), lo6, 16) == 0;
}

}  // namespace

bool connection_allowed(const TcpSocket& in, const std::vector<Exclusion>& allowances,
                        const CgroupIds& cgroups) {
    TcpSocket s = in;
    int rfamily = s.family;
    unmap_v4(rfamily, s.remote);
    int lfamily = s.family;
    unmap_v4(lfamily, s.local);
    // Loopback traffic (including to the host's own addresses) never leaves lo.
    if (is_loopback(rfamily, s.remote) || (rfamily == lfamily && s.remote == s.local)) return true;
    std::map<std::string, std::set<uint64_t>> cg_cache;
    const auto in_cgroup = [&](const std::string& path) {
        auto it = cg_cache.find(path);
        if (it == cg_cache.end()) it = cg_cache.emplace(path, cgroups ? cgroups(path) : std::set<uint64_t>{}).first;
        return it->second.count(s.cgroup_id) > 0;
    };
    for (const auto& e : allowances) {
        if (e.protocol && *e.protocol != IPPROTO_TCP) continue;
        if (e.direction == Direction::outbound && s.inbound) continue;
        if (e.direction == Direction::inbound && !s.inbound) continue;
        if (e.remote && !in_cidr(rfamily, s.remote, *e.remote)) continue;
        if (e.remote_ports && (s.remote_port < e.remote_ports->first || s.remote_port > e.remote_ports->last))
            continue;
        if (e.local_ports && (s.local_port < e.local_ports->first || s.local_port > e.local_ports->last))
            continue;
        if (e.cgroup && !in_cgroup(*e.cgroup)) continue;
        if (e.agent && (s.uid != e.agent->uid || (!e.agent->cgroup.empty() && !in_cgroup(e.agent->cgroup))))
            continue;
        return true;
    }
    return false;
}

std::vector<TcpSocket> list_tcp_connections() {
    std::vector<TcpSocket> out;
    std::set<std::pair<int, uint16_t>> listeners;  // (family, port)
    const common::UniqueFd ds = common::open_sock_diag();
    if (ds.get() < 0) return out;
    for (int family : {AF_INET, AF_INET6}) {
        const auto r = common::tcp_diag_request(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, family);
        common::inet_diag_exchange(ds.get(), r, [&](const inet_diag_msg& m, uint32_t msg_len) {
            TcpSocket s;
            static_cast<common::TcpDiagEntry&>(s) = common::tcp_diag_entry(m);
            s.cookie = {m.id.idiag_cookie[0], m.id.idiag_cookie[1]};
            s.ifindex = m.id.idiag_if;
            int attr_len = int(msg_len) - int(NLMSG_LENGTH(sizeof(inet_diag_msg)));
            for (auto* a = reinterpret_cast<const rtattr*>(&m + 1); RTA_OK(a, attr_len);
                 a = RTA_NEXT(a, attr_len)) {
                if (a->rta_type == INET_DIAG_CGROUP_ID && RTA_PAYLOAD(a) >= sizeof(uint64_t))
                    std::memcpy(&s.cgroup_id, RTA_DATA(a), sizeof(uint64_t));
            }
            if (s.state == TCP_LISTEN) {
                listeners.insert({s.family, s.local_port});
                return;
            }
            if (s.state == TCP_CLOSE || s.state == TCP_TIME_WAIT) return;
            out.push_back(s);
        });
    }
    for (auto& s : out) {
        // A dual-stack listener (AF_INET6) also accepts IPv4 connections.
        s.inbound = listeners.count({s.family, s.local_port}) || listeners.count({AF_INET6, s.local_port});
    }
    return out;
}

std::vector<Exclusion> allowances_for_cut(const std::vector<Exclusion>& allowances, bool rules_were_in_force) {
    std::vector<Exclusion> keep = allowances;
    if (!rules_were_in_force) std::erase_if(keep, [](const Exclusion& e) { return e.agent.has_value(); });
    return keep;
}

CutResult cut_disallowed_connections(const std::vector<Exclusion>& allowances, const CgroupIds& cgroups) {
    CutResult res;
    const auto conns = list_tcp_connections();
    const common::UniqueFd ds = common::open_sock_diag();
    if (ds.get() < 0) {
        res.error = "sock_diag: " + common::errno_text(errno);
        return res;
    }
    for (const auto& s : conns) {
        ++res.examined;
        if (connection_allowed(s, allowances, cgroups)) continue;
        auto r = common::tcp_diag_request(SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, s.family);
        r.req.id.idiag_sport = htons(s.local_port);
        r.req.id.idiag_dport = htons(s.remote_port);
        std::memcpy(r.req.id.idiag_src, s.local.data(), s.family == AF_INET ? 4 : 16);
        std::memcpy(r.req.id.idiag_dst, s.remote.data(), s.family == AF_INET ? 4 : 16);
        r.req.id.idiag_if = s.ifindex;
        r.req.id.idiag_cookie[0] = s.cookie[0];
        r.req.id.idiag_cookie[1] = s.cookie[1];
        const std::string err =
            common::inet_diag_exchange(ds.get(), r, [](const inet_diag_msg&, uint32_t) {});
        if (err.empty()) {
            ++res.cut;
        } else if (res.error.empty() && err != common::errno_text(ENOENT)) {
            // ENOENT: the connection ended meanwhile.
            res.error = "SOCK_DESTROY " + s.text() + ": " + err;
        }
    }
    return res;
}

}  // namespace vigil::isolation
