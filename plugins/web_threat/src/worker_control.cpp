#include "worker_control.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vigil/json_reader.hpp>
#include <vigil/json_writer.hpp>

#include "list_snapshot.hpp"

namespace vigil::web_threat {

std::string lists_message(uint64_t generation) {
    JsonWriter w;
    w.begin_object().field("type", "lists").field("generation", generation).end_object();
    return w.take();
}

std::string handle_control_message(const std::string& msg, int fd, ListHolder& holder) {
    uint64_t generation = 0;
    JsonWriter w;
    try {
        const json::Value v = json::parse(msg);
        const json::Value* type = v.is_object() ? v.find("type") : nullptr;
        if (!type || !type->is_string() || type->as_string() != "lists") {
            if (fd >= 0) ::close(fd);
            return "";
        }
        if (const json::Value* g = v.find("generation"); g && g->is_number()) generation = g->as_uint64();
        if (fd < 0) throw SnapshotError("no snapshot came with the message");
        std::string bytes;
        try {
            bytes = read_snapshot_fd(fd, kMaxSnapshotBytes);
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::close(fd);
        auto set = read_list_snapshot(bytes);
        const size_t domains = set->domain_count(), urls = set->url_count(), ips = set->ip_count();
        holder.set(std::move(set));
        w.begin_object()
            .field("type", "lists_applied")
            .field("generation", generation)
            .field("domains", uint64_t(domains))
            .field("urls", uint64_t(urls))
            .field("ips", uint64_t(ips))
            .end_object();
    } catch (const std::exception& e) {
        JsonWriter failed;
        failed.begin_object().field("type", "lists_failed").field("generation", generation).field("message", e.what());
        return failed.end_object().take();
    }
    return w.take();
}

bool send_message(int sock, const std::string& msg, int fd, int flags) {
    iovec iov{const_cast<char*>(msg.data()), msg.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (fd >= 0) {
        m.msg_control = control;
        m.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    return ::sendmsg(sock, &m, flags) == ssize_t(msg.size());
}

void serve_control(int fd, ListHolder& holder, Reporter& reporter) {
    std::string buf(65536, '\0');
    for (;;) {
        iovec iov{buf.data(), buf.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
        msghdr m{};
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = control;
        m.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the plugin closed its end: the worker is being stopped
        int passed = -1;
        for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) std::memcpy(&passed, CMSG_DATA(c), sizeof passed);
        const std::string answer = handle_control_message(std::string(buf.data(), size_t(n)), passed, holder);
        if (!answer.empty()) reporter.send(answer);
    }
}

}  // namespace vigil::web_threat
