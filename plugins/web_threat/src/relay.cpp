#include "relay.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace vigil::web_threat {

namespace {

constexpr unsigned kSplice = SPLICE_F_MOVE | SPLICE_F_NONBLOCK;
constexpr int kRounds = 64;  // then other connections of the loop get their turn

enum class Step : unsigned char { none, progress, error, blocked };

bool soft(int err) { return err == EAGAIN || err == EINTR; }

// Writes what is held: the buffer first, then the pipe.
Step write_out(Flow& f) {
    if (!f.to->out) return Step::none;
    if (!f.buf.empty()) {
        const ssize_t n = ::send(f.to->fd, f.buf.data(), f.buf.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            f.buf.erase(0, size_t(n));
            return Step::progress;
        }
        if (errno == EAGAIN) f.to->out = false;
        return soft(errno) ? Step::none : Step::error;
    }
    if (!f.pipe.held) return Step::none;
    const ssize_t n = ::splice(f.pipe.r, nullptr, f.to->fd, nullptr, f.pipe.held, kSplice);
    if (n > 0) {
        f.pipe.held -= size_t(n);
        return Step::progress;
    }
    if (n < 0 && errno == EAGAIN) f.to->out = false;
    return n < 0 && !soft(errno) ? Step::error : Step::none;
}

// Reads into the buffer (through the inspector while it judges).
Step read_copy(Flow& f, std::span<char> scratch, size_t cap) {
    if (f.buf.size() >= cap) return Step::none;
    const ssize_t n = ::recv(f.from->fd, scratch.data(), std::min(scratch.size(), cap - f.buf.size()), 0);
    if (n == 0) f.eof = true;
    if (n < 0) {
        if (errno == EAGAIN) f.from->in = false;
        return soft(errno) ? Step::none : Step::error;
    }
    if (n > 0) {
        const std::string_view got(scratch.data(), size_t(n));
        if (!f.inspect || f.inspect->opaque()) {
            f.buf.append(got);
        } else {
            const auto o = f.inspect->feed(got);
            f.buf += f.inspect->take_forward();  // what came before a refused request still goes
            if (o == ConnectionInspector::Outcome::block) return Step::blocked;
        }
    }
    return Step::progress;
}

// Reads into the pipe. EAGAIN with bytes in the pipe may mean a full pipe
// (it counts pages, not bytes), not an empty socket: readiness stays until
// the pipe was emptied and the socket said EAGAIN again.
Step read_splice(Flow& f) {
    if (!f.buf.empty() || f.pipe.held >= f.pipe.size) return Step::none;
    const ssize_t n = ::splice(f.from->fd, nullptr, f.pipe.w, nullptr, f.pipe.size - f.pipe.held, kSplice);
    if (n > 0) {
        f.pipe.held += size_t(n);
        return Step::progress;
    }
    if (n == 0) {
        f.eof = true;
        return Step::progress;
    }
    if (errno == EAGAIN && !f.pipe.held) f.from->in = false;
    return soft(errno) ? Step::none : Step::error;
}

Step read_in(Flow& f, PipePool& pipes, std::span<char> scratch, size_t cap) {
    if (f.eof || !f.from->in) return Step::none;
    const bool judging = f.inspect && !f.inspect->opaque();
    if (!judging && !f.pipe.ok() && !f.no_pipe) f.no_pipe = !pipes.get(f.pipe);
    if (judging || f.no_pipe) return read_copy(f, scratch, cap);
    return read_splice(f);
}

}  // namespace

FlowStatus pump(Flow& f, PipePool& pipes, std::span<char> scratch, size_t cap, bool read) {
    for (int round = 0; round < kRounds; ++round) {
        const Step w = write_out(f);
        if (w == Step::error) return FlowStatus::error;
        const Step r = read ? read_in(f, pipes, scratch, cap) : Step::none;
        if (r == Step::error) return FlowStatus::error;
        if (r == Step::blocked) return FlowStatus::blocked;
        bool progress = w == Step::progress || r == Step::progress;
        if (read && f.eof && f.buf.empty() && !f.pipe.held && !f.shut) {
            ::shutdown(f.to->fd, SHUT_WR);
            f.shut = true;
        }
        if (!progress) return FlowStatus::idle;
    }
    return FlowStatus::more;
}

bool drain(Side& client, std::span<char> scratch, size_t& drained) {
    while (client.in) {
        const ssize_t n = ::recv(client.fd, scratch.data(), scratch.size(), 0);
        if (n < 0 && errno == EAGAIN) client.in = false;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return false;
        drained += size_t(n);
        if (drained >= (256u << 10)) return false;
    }
    return true;
}

}  // namespace vigil::web_threat
