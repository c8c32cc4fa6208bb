#include "dns_tcp.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "event_loop.hpp"

namespace vigil::web_threat {

namespace {

bool soft(int err) { return err == EAGAIN || err == EINTR; }

}  // namespace

DnsTcpSession::DnsTcpSession(EventLoop& loop, uint32_t slot, int client_fd, const DnsTcpContext& ctx)
    : LoopTask(slot), loop_(loop), ctx_(ctx) {
    client_.fd = client_fd;
    client_.in = client_.out = true;
}

DnsTcpSession::~DnsTcpSession() {
    if (up_.fd >= 0) ::close(up_.fd);
    ::close(client_.fd);
}

void DnsTcpSession::finish() {
    if (done_) return;
    done_ = true;
    loop_.disarm(*this);
    loop_.finish(*this);
}

void DnsTcpSession::start() {
    client_ep_ = peer_endpoint(client_.fd).value_or(Endpoint{});
    if (ctx_.config.upstreams.empty() || !loop_.watch(client_.fd, *this, EventLoop::client)) return finish();
    advance();
}

// Sends what `out` holds as far as the socket takes it; false on an error.
bool DnsTcpSession::write(Side& to, std::string& out) {
    while (!out.empty() && to.out) {
        const ssize_t n = ::send(to.fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) out.erase(0, size_t(n));
        if (n < 0 && errno == EAGAIN) to.out = false;
        if (n < 0 && !soft(errno)) return false;
    }
    return true;
}

void DnsTcpSession::query(std::string_view msg) {
    DnsStep step = judge_dns_query(msg, ctx_.policy, ctx_.config.mode);
    if (step.inspection && ctx_.reporter)
        ctx_.reporter->send(verdict_report(*step.inspection, client_ep_, Endpoint{}, ctx_.reporter->dropped()));
    if (step.answer_now) {
        // Not a query the forwarder can judge: dropped, as over UDP.
        if (!step.answer.empty()) to_client_ += dns_tcp_framed(step.answer);
        return;
    }
    to_up_ += dns_tcp_framed(msg);
    ++waiting_;
}

// Reads the client's queries while there is room for what they lead to.
bool DnsTcpSession::read_client() {
    char buf[16384];
    while (client_.in && !client_eof_ && to_client_.size() < ctx_.buffer_bytes && to_up_.size() < ctx_.buffer_bytes) {
        const ssize_t n = ::recv(client_.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EAGAIN) client_.in = false;
        if (n < 0 && soft(errno)) continue;
        if (n < 0) return false;
        if (n == 0) client_eof_ = true;
        from_client_.append(buf, size_t(n));
        std::string_view msg;
        size_t off = 0;
        while (const size_t took = dns_tcp_frame(std::string_view(from_client_).substr(off), msg)) {
            if (msg.size() < 12) return false;  // not DNS: the stream cannot be trusted further
            query(msg);
            off += took;
        }
        from_client_.erase(0, off);
    }
    return true;
}

bool DnsTcpSession::connect_upstream() {
    if (upstream_ >= ctx_.config.upstreams.size()) return false;
    sockaddr_storage sa;
    const socklen_t len = sockaddr_of(ctx_.config.upstreams[upstream_], sa);
    up_ = Side{};
    up_.fd = ::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (up_.fd < 0) return false;
    if (::connect(up_.fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 && errno != EINPROGRESS) return false;
    return loop_.watch(up_.fd, *this, EventLoop::upstream);
}

// The connect's outcome once known: a refused or failed upstream gives way
// to the next one (nothing was sent to it yet).
bool DnsTcpSession::upstream_ready() {
    if (connected_) return true;
    if (!up_.out) return true;
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(up_.fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0) {
        connected_ = true;
        return true;
    }
    ::close(up_.fd);
    up_.fd = -1;
    ++upstream_;
    return connect_upstream();
}

// Answers from upstream go to the client whole (never interleaved with an
// answer of the worker's own).
bool DnsTcpSession::read_upstream() {
    char buf[16384];
    while (up_.in && to_client_.size() < ctx_.buffer_bytes) {
        const ssize_t n = ::recv(up_.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EAGAIN) up_.in = false;
        if (n < 0 && soft(errno)) continue;
        if (n < 0) return false;
        if (n == 0) {
            if (waiting_) return false;  // closed with answers owed
            // Closed with nothing owed (an idle resolver): the next query connects again.
            ::close(up_.fd);
            up_ = Side{};
            connected_ = false;
            return true;
        }
        from_up_.append(buf, size_t(n));
        std::string_view msg;
        size_t off = 0;
        while (const size_t took = dns_tcp_frame(std::string_view(from_up_).substr(off), msg)) {
            std::string scratch;
            const std::string_view out = client_answer(msg, {}, ctx_.config, ctx_.reporter, scratch);
            if (!out.empty()) to_client_ += dns_tcp_framed(out);
            if (waiting_) --waiting_;
            off += took;
        }
        from_up_.erase(0, off);
    }
    return true;
}

void DnsTcpSession::advance() {
    if (done_) return;
    loop_.arm(*this, ctx_.idle_ms);  // any activity keeps the session
    if (!read_client()) return finish();
    if (!to_up_.empty() && up_.fd < 0 && !connect_upstream()) return finish();
    if (up_.fd >= 0) {
        if (!upstream_ready()) return finish();
        if (connected_ && (!write(up_, to_up_) || !read_upstream())) return finish();
    }
    if (!write(client_, to_client_)) return finish();
    // Room again after writing: the client may have more queries waiting.
    if (client_.in && !client_eof_ && to_client_.size() < ctx_.buffer_bytes && to_up_.size() < ctx_.buffer_bytes)
        loop_.again(*this);
    if (client_eof_ && waiting_ == 0 && to_client_.empty()) {
        ::shutdown(client_.fd, SHUT_WR);
        finish();
    }
}

TaskFactory dns_tcp_sessions(const DnsTcpContext& ctx) {
    return [&ctx](EventLoop& loop, uint32_t slot, int fd) -> std::unique_ptr<LoopTask> {
        return std::make_unique<DnsTcpSession>(loop, slot, fd, ctx);
    };
}

}  // namespace vigil::web_threat
