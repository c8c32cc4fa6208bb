#include "connection.hpp"

#include "socks_session.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

namespace vigil::web_threat {

namespace {

using Outcome = ConnectionInspector::Outcome;

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int poll_one(int fd, short events, int ms) {
    pollfd p{fd, events, 0};
    int r;
    do r = ::poll(&p, 1, ms);
    while (r < 0 && errno == EINTR);
    return r;
}

// Sends everything within `ms`; false on error or timeout.
bool send_all(int fd, std::string_view data, int ms) {
    const int64_t deadline = now_ms() + ms;
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(size_t(n));
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        const int64_t left = deadline - now_ms();
        if (left <= 0 || poll_one(fd, POLLOUT, int(left)) <= 0) return false;
    }
    return true;
}

// The worker relays segments as they come: no Nagle delay added on either side.
void no_delay(int fd) {
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int connect_upstream(const Endpoint& to, int ms) {
    sockaddr_storage sa;
    const socklen_t len = sockaddr_of(to, sa);
    const int fd = ::socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    no_delay(fd);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0) return fd;
    int err = errno;
    if (err == EINPROGRESS && poll_one(fd, POLLOUT, ms) > 0) {
        socklen_t el = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0) return fd;
    }
    ::close(fd);
    return -1;
}

struct SplicePipe;

class Connection {
public:
    Connection(int fd, const ConnectionContext& ctx) : client_(fd), ctx_(ctx) {}
    ~Connection() {
        if (upstream_ >= 0) ::close(upstream_);
        ::close(client_);
    }
    void run();

private:
    Outcome first_verdict(ConnectionInspector& insp);
    void report(ConnectionInspector& insp);
    void report_one(const Inspection& in);
    void block(ConnectionInspector& insp);
    // `insp` null: the client's bytes are relayed as they are.
    void relay(ConnectionInspector* insp, std::string to_up);
    // HTTP: requests through the inspector, responses spliced; false when
    // no pipe could be made (nothing done yet).
    bool relay_http(ConnectionInspector& insp, std::string to_up);
    void flush_down();
    bool pump_client(ConnectionInspector* insp, std::string& to_up, bool& eof);
    void socks();
    void socks_judged(const SocksStep& step);
    void socks_by_address();

    int client_;
    int upstream_ = -1;
    const ConnectionContext& ctx_;
    Endpoint client_ep_, dest_;
    bool socks_ = false;
    SplicePipe* down_ = nullptr;  // relay_http's response pipe
    bool owner_looked_up_ = false;
    std::optional<SocketOwner> owner_;
    std::string socks_in_;  // the SOCKS client's bytes so far
};

void Connection::report_one(const Inspection& in) {
    if (!ctx_.reporter || !reportable(in)) return;
    // Looked up once, while the client still holds the socket.
    if (!owner_looked_up_) {
        owner_looked_up_ = true;
        owner_ = find_socket(client_ep_, dest_);
    }
    ctx_.reporter->send(verdict_report(in, client_ep_, dest_, ctx_.reporter->dropped(), owner_ ? &*owner_ : nullptr));
}

void Connection::report(ConnectionInspector& insp) {
    for (const Inspection& in : insp.take_decisions()) report_one(in);
}

// Reads until the inspector decides. No byte within first_bytes_ms: the
// address decides (server-speaks-first protocols); an incomplete hello or
// head by head_ms, or the client closing: need_more (give up).
Outcome Connection::first_verdict(ConnectionInspector& insp) {
    const int64_t start = now_ms();
    bool any = false;
    char buf[16384];
    for (;;) {
        const int64_t left = start + (any ? ctx_.limits.head_ms : ctx_.limits.first_bytes_ms) - now_ms();
        if (left <= 0) return any ? Outcome::need_more : insp.timeout();
        const int r = poll_one(client_, POLLIN, int(left));
        if (r < 0) return Outcome::need_more;
        if (r == 0) continue;
        const ssize_t n = ::recv(client_, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return Outcome::need_more;
        if (!any && (buf[0] == 4 || buf[0] == 5)) {
            socks_ = true;  // SOCKS4 / SOCKS5: not for the inspector
            socks_in_.assign(buf, size_t(n));
            return Outcome::need_more;
        }
        any = true;
        const Outcome o = insp.feed(std::string_view(buf, size_t(n)));
        if (o != Outcome::need_more) return o;
    }
}

// Closing with unread client bytes would reset the connection and could
// destroy the block page before the client reads it: read what the client
// still sends (a request body) until it closes, for a short while.
void drain(int fd, int ms) {
    const int64_t deadline = now_ms() + ms;
    char buf[16384];
    size_t total = 0;
    while (total < (256u << 10)) {
        const int64_t left = deadline - now_ms();
        if (left <= 0 || poll_one(fd, POLLIN, int(left)) <= 0) return;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return;
        total += size_t(n);
    }
}

void Connection::block(ConnectionInspector& insp) {
    report(insp);
    if (!insp.response().empty()) send_all(client_, insp.response(), ctx_.limits.block_write_ms);
    ::shutdown(client_, SHUT_WR);
    drain(client_, ctx_.limits.block_write_ms);
}

void Connection::run() {
    const auto dest = original_destination(client_);
    const auto peer = peer_endpoint(client_);
    if (!dest || !peer) return;
    // Someone connected to the listener itself: nothing was redirected, and
    // connecting "upstream" would loop back here.
    if (dest->ip.is_loopback() && dest->port == ctx_.listen_port) return;
    dest_ = *dest;
    client_ep_ = *peer;
    no_delay(client_);
    ConnectionInspector insp(ctx_.policy, dest_.ip);
    const Outcome o = first_verdict(insp);
    if (socks_) return socks();
    if (o == Outcome::block) return block(insp);
    report(insp);
    if (o != Outcome::forward) return;
    upstream_ = connect_upstream(dest_, ctx_.limits.connect_ms);
    if (upstream_ < 0) return;
    std::string first = insp.take_forward();
    if (!insp.opaque() && relay_http(insp, first)) return;
    relay(&insp, std::move(first));
}

void Connection::socks() {
    bool greeted = false;
    const int64_t deadline = now_ms() + ctx_.limits.head_ms;
    char buf[4096];
    for (;;) {
        const SocksStep step = socks_step(socks_in_, ctx_.policy, greeted);
        if (!step.reply_to_client.empty() && !send_all(client_, step.reply_to_client, ctx_.limits.block_write_ms)) return;
        if (step.state == SocksStep::State::malformed) return;
        if (step.state == SocksStep::State::unsupported) return socks_by_address();
        if (step.state == SocksStep::State::judged) return socks_judged(step);
        const int64_t left = deadline - now_ms();
        if (socks_in_.size() > 1024 || left <= 0 || poll_one(client_, POLLIN, int(left)) <= 0) return;
        const ssize_t n = ::recv(client_, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return;
        socks_in_.append(buf, size_t(n));
    }
}

void Connection::socks_judged(const SocksStep& step) {
    report_one(*step.inspection);
    if (step.inspection->blocked) {
        send_all(client_, socks_refusal(socks_in_[0]), ctx_.limits.block_write_ms);
        ::shutdown(client_, SHUT_WR);
        return;
    }
    upstream_ = connect_upstream(dest_, ctx_.limits.connect_ms);
    if (upstream_ < 0) return;
    if (!step.upstream_greeting.empty()) {
        // The proxy must choose "no authentication", as the worker told the client.
        if (!send_all(upstream_, step.upstream_greeting, ctx_.limits.connect_ms)) return;
        char choice[2];
        size_t got = 0;
        while (got < 2) {
            if (poll_one(upstream_, POLLIN, ctx_.limits.connect_ms) <= 0) return;
            const ssize_t n = ::recv(upstream_, choice + got, 2 - got, 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n <= 0) return;
            got += size_t(n);
        }
        if (choice[0] != 5 || choice[1] != 0) return;
    }
    relay(nullptr, step.upstream_rest);
}

void Connection::socks_by_address() {
    ConnectionInspector insp(ctx_.policy, dest_.ip);
    const Outcome o = insp.timeout();
    report(insp);
    if (o != Outcome::forward) return;
    upstream_ = connect_upstream(dest_, ctx_.limits.connect_ms);
    if (upstream_ < 0) return;
    relay(nullptr, socks_in_);
}

// Client bytes: through the inspector while it still judges (HTTP), as they
// are afterwards. False when the connection must end (blocked, error).
bool Connection::pump_client(ConnectionInspector* insp, std::string& to_up, bool& eof) {
    char buf[65536];
    const ssize_t n = ::recv(client_, buf, sizeof buf, 0);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    if (n == 0) {
        eof = true;
        return true;
    }
    if (!insp || insp->opaque()) {
        to_up.append(buf, size_t(n));
        return true;
    }
    if (insp->feed(std::string_view(buf, size_t(n))) == Outcome::block) {
        to_up += insp->take_forward();
        if (!to_up.empty()) send_all(upstream_, to_up, ctx_.limits.block_write_ms);
        flush_down();  // the earlier response before the block page
        block(*insp);
        return false;
    }
    to_up += insp->take_forward();
    report(*insp);
    return true;
}

// Waits for what `p` asks (a side asking nothing is left out: a hung-up
// peer would report POLLHUP at once every round); false on an error of
// either socket or of poll itself.
bool wait_both(pollfd (&p)[2]) {
    for (auto& q : p)
        if (!q.events) q.fd = -1;
    int r;
    do r = ::poll(p, 2, -1);
    while (r < 0 && errno == EINTR);
    return r >= 0 && !((p[0].revents | p[1].revents) & (POLLERR | POLLNVAL));
}

// One direction of a spliced relay: socket -> pipe -> socket, no copy
// through the worker's memory.
struct SplicePipe {
    int r = -1, w = -1;
    size_t held = 0;  // bytes in the pipe
    size_t size = 0;  // the pipe's capacity
    bool eof = false, shut = false;
    ~SplicePipe() {
        if (r >= 0) ::close(r);
        if (w >= 0) ::close(w);
    }
};

// Moves what is ready; false on a hard error.
bool splice_step(int from, int to, SplicePipe& p, short from_events) {
    constexpr unsigned kFlags = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
    if ((from_events & (POLLIN | POLLHUP)) && !p.eof && p.held < p.size) {
        const ssize_t n = ::splice(from, nullptr, p.w, nullptr, p.size - p.held, kFlags);
        if (n == 0) p.eof = true;
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (n > 0) p.held += size_t(n);
    }
    if (p.held) {  // non-blocking: EAGAIN until the receiver takes more
        const ssize_t n = ::splice(p.r, nullptr, to, nullptr, p.held, kFlags);
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (n > 0) p.held -= size_t(n);
    }
    if (p.eof && !p.held && !p.shut) {
        ::shutdown(to, SHUT_WR);
        p.shut = true;
    }
    return true;
}

bool open_pipe(SplicePipe& p, size_t cap) {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return false;
    p.r = fds[0];
    p.w = fds[1];
    ::fcntl(p.w, F_SETPIPE_SZ, int(cap));
    const int size = ::fcntl(p.w, F_GETPIPE_SZ);
    p.size = size > 0 ? size_t(size) : 0;
    return p.size > 0;
}

// Relays both ways with splice() until both sides are done (or an error).
// False when pipes are not available (the caller copies instead).
bool splice_relay(int client, int upstream, size_t cap) {
    SplicePipe up, down;  // client -> upstream, upstream -> client
    if (!open_pipe(up, cap) || !open_pipe(down, cap)) return false;
    while (!(up.shut && down.shut)) {
        pollfd p[2] = {{client, 0, 0}, {upstream, 0, 0}};
        if (!up.eof && up.held < up.size) p[0].events |= POLLIN;
        if (down.held) p[0].events |= POLLOUT;
        if (!down.eof && down.held < down.size) p[1].events |= POLLIN;
        if (up.held) p[1].events |= POLLOUT;
        if (!wait_both(p)) return true;
        if (!splice_step(client, upstream, up, p[0].revents)) return true;
        if (!splice_step(upstream, client, down, p[1].revents)) return true;
    }
    return true;
}

bool flush(int fd, std::string& buf) {
    const ssize_t n = ::send(fd, buf.data(), buf.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    buf.erase(0, size_t(n));
    return true;
}

void Connection::flush_down() {
    const int64_t deadline = now_ms() + ctx_.limits.block_write_ms;
    while (down_ && down_->held) {
        const ssize_t n = ::splice(down_->r, nullptr, client_, nullptr, down_->held, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
            down_->held -= size_t(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return;
        const int64_t left = deadline - now_ms();
        if (left <= 0 || poll_one(client_, POLLOUT, int(left)) <= 0) return;
    }
}

bool Connection::relay_http(ConnectionInspector& insp, std::string to_up) {
    SplicePipe down;
    const size_t cap = ctx_.limits.buffer_bytes;
    if (!open_pipe(down, cap)) return false;
    down_ = &down;
    bool client_eof = false, up_shut = false;
    for (;;) {
        if (client_eof && to_up.empty() && !up_shut) {
            ::shutdown(upstream_, SHUT_WR);
            up_shut = true;
        }
        if (up_shut && down.shut) break;
        pollfd p[2] = {{client_, 0, 0}, {upstream_, 0, 0}};
        if (!client_eof && to_up.size() < cap) p[0].events |= POLLIN;
        if (down.held) p[0].events |= POLLOUT;
        if (!down.eof && down.held < down.size) p[1].events |= POLLIN;
        if (!to_up.empty()) p[1].events |= POLLOUT;
        if (!wait_both(p)) break;
        if ((p[0].revents & (POLLIN | POLLHUP)) && !client_eof && !pump_client(&insp, to_up, client_eof)) break;
        if (!splice_step(upstream_, client_, down, p[1].revents)) break;
        if (!to_up.empty() && !flush(upstream_, to_up)) break;
    }
    down_ = nullptr;
    return true;
}

void Connection::relay(ConnectionInspector* insp, std::string to_up) {
    std::string to_client;
    bool client_eof = false, up_eof = false, up_shut = false, client_shut = false;
    const size_t cap = ctx_.limits.buffer_bytes;
    char buf[65536];
    for (;;) {
        // An opaque connection with nothing buffered: splice from here on.
        if ((!insp || insp->opaque()) && to_up.empty() && to_client.empty() && !client_eof && !up_eof &&
            splice_relay(client_, upstream_, cap))
            return;
        if (client_eof && to_up.empty() && !up_shut) {
            ::shutdown(upstream_, SHUT_WR);
            up_shut = true;
        }
        if (up_eof && to_client.empty() && !client_shut) {
            ::shutdown(client_, SHUT_WR);
            client_shut = true;
        }
        if (up_shut && client_shut) return;
        pollfd p[2] = {{client_, 0, 0}, {upstream_, 0, 0}};
        if (!client_eof && to_up.size() < cap) p[0].events |= POLLIN;
        if (!to_client.empty()) p[0].events |= POLLOUT;
        if (!up_eof && to_client.size() < cap) p[1].events |= POLLIN;
        if (!to_up.empty()) p[1].events |= POLLOUT;
        if (!wait_both(p)) return;
        if ((p[0].revents & (POLLIN | POLLHUP)) && !client_eof && !pump_client(insp, to_up, client_eof)) return;
        if ((p[1].revents & (POLLIN | POLLHUP)) && !up_eof) {
            const ssize_t n = ::recv(upstream_, buf, sizeof buf, 0);
            if (n == 0) up_eof = true;
            if (n < 0 && errno != EAGAIN && errno != EINTR) return;
            if (n > 0) to_client.append(buf, size_t(n));
        }
        if (!to_client.empty() && !flush(client_, to_client)) return;
        if (!to_up.empty() && !flush(upstream_, to_up)) return;
    }
}

}  // namespace

void serve_connection(int client_fd, const ConnectionContext& ctx) {
    Connection c(client_fd, ctx);
    c.run();
}

}  // namespace vigil::web_threat
