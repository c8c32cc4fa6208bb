#include "netlink_proc_sensor.hpp"

#include "process/proc_reader.hpp"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace vigil::behavior {
namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool send_listen(int sock, proc_cn_mcast_op op) {
    // nlmsghdr | cn_msg (ends in a flexible array) | the op, built in a buffer.
    alignas(nlmsghdr) char buf[NLMSG_SPACE(sizeof(cn_msg) + sizeof(proc_cn_mcast_op))] = {};
    auto* nl = reinterpret_cast<nlmsghdr*>(buf);
    nl->nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_cn_mcast_op));
    nl->nlmsg_type = NLMSG_DONE;
    auto* cn = static_cast<cn_msg*>(NLMSG_DATA(nl));
    cn->id.idx = CN_IDX_PROC;
    cn->id.val = CN_VAL_PROC;
    cn->len = sizeof(proc_cn_mcast_op);
    std::memcpy(reinterpret_cast<char*>(cn) + sizeof(cn_msg), &op, sizeof op);
    return ::send(sock, buf, nl->nlmsg_len, 0) == ssize_t(nl->nlmsg_len);
}

}  // namespace

void NetlinkProcSensor::start(SensorSink& sink) {
    sock_ = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (sock_ < 0) throw std::runtime_error(errno_text("netlink connector socket"));
    // Exec storms arrive faster than /proc can be read; a big buffer absorbs
    // bursts (FORCE needs CAP_NET_ADMIN; the plain option is the fallback).
    int rcv = 16 << 20;
    if (::setsockopt(sock_, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
        ::setsockopt(sock_, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = CN_IDX_PROC;
    addr.nl_pid = 0;
    if (::bind(sock_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::string e = errno_text("bind netlink proc connector (needs CAP_NET_ADMIN)");
        ::close(sock_);
        sock_ = -1;
        throw std::runtime_error(e);
    }
    if (!send_listen(sock_, PROC_CN_MCAST_LISTEN)) {
        std::string e = errno_text("subscribe to proc connector");
        ::close(sock_);
        sock_ = -1;
        throw std::runtime_error(e);
    }
    reader_.start([this, &sink] { run(sink); });
}

void NetlinkProcSensor::stop() {
    reader_.stop();
    if (sock_ >= 0) {
        send_listen(sock_, PROC_CN_MCAST_IGNORE);
        ::close(sock_);
        sock_ = -1;
    }
}

void NetlinkProcSensor::run(SensorSink& sink) {
    std::vector<char> buf(1 << 16);
    while (reader_.wait_readable(sock_)) {
        ssize_t n = ::recv(sock_, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            // ENOBUFS: the kernel dropped messages because we were too slow.
            // How many is not known; count one loss event per overrun.
            if (errno == ENOBUFS) sink.on_loss("netlink_proc_overrun", 1);
            continue;
        }
        for (auto* nl = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nl, size_t(n));
             nl = NLMSG_NEXT(nl, n)) {
            if (nl->nlmsg_type != NLMSG_DONE) continue;
            auto* cn = static_cast<cn_msg*>(NLMSG_DATA(nl));
            if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) continue;
            // cn->data is only 4-byte aligned; proc_event holds a u64.
            proc_event ev{};
            std::memcpy(&ev, cn->data, std::min<size_t>(cn->len, sizeof ev));
            try {
                handle(&ev, sink);
            } catch (...) {
                sink.on_loss("event_processing_error", 1);
            }
        }
    }
}

void NetlinkProcSensor::handle(const proc_event* ev, SensorSink& sink) {
    switch (ev->what) {
    case proc_event::PROC_EVENT_FORK: {
        const auto& f = ev->event_data.fork;
        if (f.child_pid != f.child_tgid) break;  // a new thread, not a process
        sink.on_fork(ForkEvent{f.child_tgid, f.parent_tgid, ProcReader::now_boottime_ns()});
        break;
    }
    case proc_event::PROC_EVENT_EXEC: {
        ExecEvent e;
        e.pid = ev->event_data.exec.process_tgid;
        sink.on_exec(std::move(e));
        break;
    }
    case proc_event::PROC_EVENT_EXIT: {
        const auto& x = ev->event_data.exit;
        if (x.process_pid != x.process_tgid) break;  // a thread ended
        ExitEvent e{x.process_tgid, int32_t(x.exit_code), ProcReader::now_boottime_ns()};
        sink.on_exit(e);
        break;
    }
    default:
        break;
    }
}

}  // namespace vigil::behavior
