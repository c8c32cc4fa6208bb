#include "connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "event_loop.hpp"
#include "mitm_session.hpp"

namespace vigil::web_threat {

namespace {

using Outcome = ConnectionInspector::Outcome;

// The worker relays segments as they come: no Nagle delay added on either side.
void no_delay(int fd) {
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// A short message (SOCKS replies, the start of a block response) to a socket
// whose send buffer is empty: it goes whole or the socket is broken.
bool send_now(int fd, std::string_view data) {
    return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT) == ssize_t(data.size());
}

}  // namespace

Connection::Connection(EventLoop& loop, uint32_t slot, int client_fd, const ConnectionContext& ctx)
    : LoopTask(slot), loop_(loop), ctx_(ctx) {
    client_.fd = client_fd;
    // The client usually sends at once: try reading before any event says so.
    client_.in = true;
    to_up_.from = to_client_.to = &client_;
    to_up_.to = to_client_.from = &up_;
}

Connection::~Connection() {
    loop_.pipes().put(to_up_.pipe);
    loop_.pipes().put(to_client_.pipe);
    if (up_.fd >= 0) ::close(up_.fd);
    if (client_.fd >= 0) ::close(client_.fd);
}

void Connection::finish() {
    if (state_ == State::done) return;
    state_ = State::done;
    loop_.disarm(*this);
    loop_.finish(*this);
}

void Connection::start() {
    const auto dest = ctx_.destination_of ? ctx_.destination_of(client_.fd) : original_destination(client_.fd);
    const auto peer = peer_endpoint(client_.fd);
    // Someone connected to the listener itself: nothing was redirected, and
    // connecting "upstream" would loop back here.
    if (!dest || !peer || (dest->ip.is_loopback() && dest->port == ctx_.listen_port)) return finish();
    dest_ = *dest;
    client_ep_ = *peer;
    no_delay(client_.fd);
    insp_.emplace(ctx_.policy, dest_.ip);
    if (!loop_.watch(client_.fd, *this, EventLoop::client)) return finish();
    loop_.arm(*this, ctx_.limits.first_bytes_ms);
    advance();
}

void Connection::advance() {
    switch (state_) {
        case State::sniff: return sniff();
        case State::socks: return socks();
        case State::connecting: return connecting();
        case State::socks_choice: return socks_choice();
        case State::relay: return relay();
        case State::blocking: return blocking();
        case State::draining: return draining();
        case State::mitm:
            if (!mitm_->advance()) finish();
            return;
        case State::done: return;
    }
}

void Connection::on_timeout() {
    // No byte in first_bytes_ms: a server-speaks-first protocol, the address
    // decides. Any other deadline ends the connection.
    if (state_ == State::sniff && !any_bytes_) return verdict(insp_->timeout());
    finish();
}

void Connection::report_one(const Inspection& in) {
    if (!ctx_.reporter || !reportable(in)) return;
    // Looked up once, while the client still holds the socket.
    if (!owner_looked_up_) {
        owner_looked_up_ = true;
        owner_ = find_socket(client_ep_, dest_);
    }
    ctx_.reporter->send(verdict_report(in, client_ep_, dest_, ctx_.reporter->dropped(), owner_ ? &*owner_ : nullptr));
}

void Connection::report() {
    for (const Inspection& in : insp_->take_decisions()) report_one(in);
}

// Reads until the inspector decides; an incomplete hello or head by head_ms,
// or the client closing first, ends the connection.
void Connection::sniff() {
    const std::span<char> buf = loop_.scratch().first(16384);
    while (client_.in) {
        const ssize_t n = ::recv(client_.fd, buf.data(), buf.size(), 0);
        if (n < 0 && errno == EAGAIN) client_.in = false;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return finish();
        if (!any_bytes_ && (buf[0] == 4 || buf[0] == 5)) {
            socks_in_.assign(buf.data(), size_t(n));  // SOCKS4 / SOCKS5: not for the inspector
            state_ = State::socks;
            loop_.arm(*this, ctx_.limits.head_ms);
            return socks();
        }
        if (!any_bytes_) loop_.arm(*this, ctx_.limits.head_ms);
        any_bytes_ = true;
        const Outcome o = insp_->feed(std::string_view(buf.data(), size_t(n)));
        if (o != Outcome::need_more) return verdict(o);
    }
}

void Connection::verdict(Outcome o) {
    if (o == Outcome::block && start_mitm(true)) return;
    if (o == Outcome::block) return start_block();
    report();
    if (o != Outcome::forward) return finish();
    first_ += insp_->take_forward();
    inspect_http_ = !insp_->opaque();
    if (!start_mitm(false)) connect_upstream();
}

// The encrypted connections scan takes over a ClientHello it may decrypt
// (not excluded, not trusted), or one blocked by its SNI when it shows the
// block page inside TLS (mitm.https_block_page); true when it did.
bool Connection::start_mitm(bool blocked) {
    const std::string& host = blocked ? insp_->blocked_sni() : insp_->scannable_sni();
    if (!ctx_.mitm || host.empty() || !ctx_.mitm->scans(host)) return false;
    if (blocked && !ctx_.mitm->https_block_page()) return false;
    if (blocked) report();
    mitm_ = std::make_unique<MitmSession>(*ctx_.mitm, loop_, *this, client_, up_, ctx_, dest_, host,
                                          [this](const Inspection& in) { report_one(in); });
    state_ = State::mitm;
    if (!mitm_->start(blocked ? insp_->blocked_hello() : first_, blocked ? insp_->tls_block_page() : "")) finish();
    first_.clear();
    return true;
}

void Connection::socks() {
    for (;;) {
        const SocksStep step = socks_step(socks_in_, ctx_.policy, greeted_);
        if (!step.reply_to_client.empty() && !send_now(client_.fd, step.reply_to_client)) return finish();
        if (step.state == SocksStep::State::malformed) return finish();
        if (step.state == SocksStep::State::unsupported) {
            // Judged by the proxy's address; the client's bytes go as they are.
            first_ = socks_in_;
            return verdict(insp_->timeout());
        }
        if (step.state == SocksStep::State::judged) return socks_judged(step);
        if (socks_in_.size() > 1024) return finish();
        if (!client_.in) return;
        char buf[4096];
        const ssize_t n = ::recv(client_.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EAGAIN) client_.in = false;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return finish();
        socks_in_.append(buf, size_t(n));
    }
}

void Connection::socks_judged(const SocksStep& step) {
    report_one(*step.inspection);
    if (step.inspection->blocked) {
        send_now(client_.fd, socks_refusal(socks_in_[0]));
        ::shutdown(client_.fd, SHUT_WR);
        return finish();
    }
    socks_greeting_ = step.upstream_greeting;
    first_ = step.upstream_rest;
    connect_upstream();
}

void Connection::connect_upstream() {
    up_.fd = connect_nonblocking(dest_);
    if (up_.fd < 0) return finish();
    if (!loop_.watch(up_.fd, *this, EventLoop::upstream)) return finish();
    state_ = State::connecting;
    loop_.arm(*this, ctx_.limits.connect_ms);
}

void Connection::connecting() {
    if (!up_.out) return;
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(up_.fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) return finish();
    if (socks_greeting_.empty()) return start_relay();
    // The proxy must choose "no authentication", as the worker told the client.
    if (!send_now(up_.fd, socks_greeting_)) return finish();
    state_ = State::socks_choice;
    socks_choice();
}

void Connection::socks_choice() {
    char choice[2];
    while (up_.in && choice_got_ < 2) {
        const ssize_t n = ::recv(up_.fd, choice + choice_got_, 2 - choice_got_, 0);
        if (n < 0 && errno == EAGAIN) up_.in = false;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return finish();
        // Byte by byte into `choice`, which lives only here: check as it comes.
        for (ssize_t i = 0; i < n; ++i, ++choice_got_)
            if (choice[choice_got_] != (choice_got_ == 0 ? 5 : 0)) return finish();
    }
    if (choice_got_ == 2) start_relay();
}

void Connection::start_relay() {
    state_ = State::relay;
    loop_.disarm(*this);
    to_up_.buf = std::move(first_);
    if (inspect_http_) to_up_.inspect = &*insp_;
    relay();
}

void Connection::relay() {
    const size_t cap = ctx_.limits.buffer_bytes;
    const FlowStatus up = pump(to_up_, loop_.pipes(), loop_.scratch(), cap);
    if (to_up_.inspect) report();
    if (up == FlowStatus::blocked) return start_block();
    const FlowStatus down = pump(to_client_, loop_.pipes(), loop_.scratch(), cap);
    if (up == FlowStatus::error || down == FlowStatus::error) return finish();
    if (to_up_.shut && to_client_.shut) return finish();
    if (up == FlowStatus::more || down == FlowStatus::more) loop_.again(*this);
}

// The block response goes after what was already let through: the earlier
// requests' bytes to the origin, the earlier response to the client.
void Connection::start_block() {
    report();
    response_ = insp_->response();
    state_ = State::blocking;
    loop_.arm(*this, ctx_.limits.block_write_ms);
    blocking();
}

void Connection::blocking() {
    if (up_.fd >= 0) {
        const size_t cap = ctx_.limits.buffer_bytes;
        if (pump(to_up_, loop_.pipes(), loop_.scratch(), cap, false) == FlowStatus::error) to_up_.buf.clear();
        if (pump(to_client_, loop_.pipes(), loop_.scratch(), cap, false) == FlowStatus::error) return finish();
        if (to_client_.pipe.held) return;
    }
    while (!response_.empty() && client_.out) {
        const ssize_t n = ::send(client_.fd, response_.data(), response_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) response_.erase(0, size_t(n));
        if (n < 0 && errno == EAGAIN) client_.out = false;
        if (n < 0 && errno != EAGAIN && errno != EINTR) return finish();
    }
    if (!response_.empty() || !to_up_.buf.empty()) return;
    ::shutdown(client_.fd, SHUT_WR);
    if (up_.fd >= 0) ::close(up_.fd);
    up_.fd = -1;
    state_ = State::draining;
    loop_.arm(*this, ctx_.limits.block_write_ms);
    draining();
}

// What the client still sends is read until it closes, for a short while
// (relay.hpp: drain).
void Connection::draining() {
    if (!drain(client_, loop_.scratch(), drained_)) finish();
}

TaskFactory web_connections(const ConnectionContext& ctx) {
    return [&ctx](EventLoop& loop, uint32_t slot, int fd) -> std::unique_ptr<LoopTask> {
        return std::make_unique<Connection>(loop, slot, fd, ctx);
    };
}

}  // namespace vigil::web_threat
