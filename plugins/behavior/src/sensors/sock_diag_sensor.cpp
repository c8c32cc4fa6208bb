#include "sock_diag_sensor.hpp"

#include <dirent.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>
#include <vigil/common/sock_diag.hpp>

namespace vigil::behavior {
namespace {

// One inet_diag dump for a family; false when netlink itself fails.
bool dump(int family, std::map<uint64_t, SockDiagSensor::Sock>& out) {
    const common::UniqueFd s = common::open_sock_diag();
    if (s.get() < 0) return false;
    const auto request = common::tcp_diag_request(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, family);
    const std::string error =
        common::inet_diag_exchange(s.get(), request, [&](const inet_diag_msg& m, uint32_t) {
            if (m.idiag_inode == 0) return;  // TIME_WAIT and other orphans: already closed
            SockDiagSensor::Sock k;
            static_cast<common::TcpDiagEntry&>(k) = common::tcp_diag_entry(m);
            out[k.inode] = k;
        });
    return error.empty();
}

// socket inode → pid, by reading /proc/*/fd (only for inodes we need).
void find_owners(std::map<uint64_t, SockDiagSensor::Sock>& socks, const std::set<uint64_t>& wanted) {
    if (wanted.empty()) return;
    size_t left = wanted.size();
    DIR* proc = ::opendir("/proc");
    if (!proc) return;
    while (dirent* de = ::readdir(proc)) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
        std::string fddir = std::string("/proc/") + de->d_name + "/fd";
        DIR* fds = ::opendir(fddir.c_str());
        if (!fds) continue;
        while (dirent* f = ::readdir(fds)) {
            if (f->d_name[0] == '.') continue;
            char buf[64];
            ssize_t n = ::readlinkat(::dirfd(fds), f->d_name, buf, sizeof buf - 1);
            if (n <= 8 || std::strncmp(buf, "socket:[", 8) != 0) continue;
            buf[n] = 0;
            uint64_t ino = std::strtoull(buf + 8, nullptr, 10);
            if (!wanted.count(ino)) continue;
            auto it = socks.find(ino);
            if (it != socks.end() && it->second.pid == 0) {
                it->second.pid = std::atoi(de->d_name);
                --left;
            }
        }
        ::closedir(fds);
        if (left == 0) break;
    }
    ::closedir(proc);
}

NetEvent to_event(const SockDiagSensor::Sock& s, uint32_t action) {
    NetEvent e;
    e.pid = s.pid;
    e.uid = s.uid;
    e.action = action;
    e.family = s.family;
    e.protocol = IPPROTO_TCP;
    e.local_port = s.local_port;
    e.remote_port = s.remote_port;
    e.local_addr = s.local;
    e.remote_addr = s.remote;
    return e;
}

}  // namespace

bool SockDiagSensor::snapshot(std::map<uint64_t, Sock>& out) {
    bool v4 = dump(AF_INET, out);
    bool v6 = dump(AF_INET6, out);
    return v4 || v6;
}

void SockDiagSensor::start(SensorSink& sink) {
    std::map<uint64_t, Sock> probe;
    if (!snapshot(probe)) throw std::runtime_error("NETLINK_SOCK_DIAG dump failed");
    stop_ = false;
    thread_ = std::thread([this, &sink] { run(sink); });
}

void SockDiagSensor::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void SockDiagSensor::poll_once(SensorSink& sink, bool baseline) {
    std::map<uint64_t, Sock> now;
    if (!snapshot(now)) {
        sink.on_loss("sock_diag_dump_failed", 1);
        return;
    }
    std::set<uint64_t> fresh;
    for (auto& [ino, s] : now) {
        auto it = known_.find(ino);
        if (it != known_.end()) {
            s.pid = it->second.pid;
            // A socket seen connecting earlier is reported once established.
            if (it->second.state == TCP_SYN_SENT && s.state == TCP_ESTABLISHED) fresh.insert(ino);
        } else {
            fresh.insert(ino);
        }
    }
    if (!baseline) {
        find_owners(now, fresh);
        std::set<uint16_t> listening;
        for (const auto& [ino, s] : now)
            if (s.state == TCP_LISTEN) listening.insert(s.local_port);
        for (uint64_t ino : fresh) {
            const Sock& s = now[ino];
            if (s.pid == self_pid_) continue;
            if (s.state == TCP_LISTEN) sink.on_network(to_event(s, VIGIL_NET_LISTEN));
            else if (s.state == TCP_ESTABLISHED || s.state == TCP_CLOSE_WAIT || s.state == TCP_FIN_WAIT1 ||
                     s.state == TCP_FIN_WAIT2)
                sink.on_network(to_event(s, listening.count(s.local_port) ? VIGIL_NET_ACCEPT : VIGIL_NET_CONNECT));
        }
        for (const auto& [ino, s] : known_)
            if (!now.count(ino) && s.pid != self_pid_ && (s.state == TCP_ESTABLISHED || s.state == TCP_LISTEN))
                sink.on_network(to_event(s, VIGIL_NET_CLOSE));
    }
    known_.swap(now);
}

void SockDiagSensor::run(SensorSink& sink) {
    try {
        poll_once(sink, true);
    } catch (...) {
    }
    while (!stop_) {
        for (uint32_t waited = 0; waited < interval_ms_ && !stop_; waited += 20)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (stop_) break;
        try {
            poll_once(sink, false);
        } catch (...) {
            sink.on_loss("event_processing_error", 1);
        }
    }
}

}  // namespace vigil::behavior
