#include "mitm_tls.hpp"

#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <vigil/common/openssl_errors.hpp>

namespace vigil::web_threat {

TlsEnd::TlsEnd(SSL_CTX* ctx, Side& side, bool server) : ssl_(SSL_new(ctx)), side_(side) {
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    if (!ssl_ || !in_ || !out_) {
        BIO_free(in_);
        BIO_free(out_);
        throw std::runtime_error("TLS: " + common::openssl_errors());
    }
    // An empty input BIO means "retry" (WANT_READ) until the socket ends.
    BIO_set_mem_eof_return(in_, -1);
    SSL_set_bio(ssl_.get(), in_, out_);
    if (server)
        SSL_set_accept_state(ssl_.get());
    else
        SSL_set_connect_state(ssl_.get());
}

void TlsEnd::push(std::string_view ciphertext) {
    if (!ciphertext.empty()) BIO_write(in_, ciphertext.data(), int(ciphertext.size()));
}

TlsEnd::Io TlsEnd::fill(std::span<char> scratch, size_t cap) {
    while (side_.in && !eof_ && size_t(BIO_ctrl_pending(in_)) < cap) {
        const ssize_t n = ::recv(side_.fd, scratch.data(), scratch.size(), 0);
        if (n > 0) {
            BIO_write(in_, scratch.data(), int(n));
        } else if (n == 0) {
            eof_ = true;
            BIO_set_mem_eof_return(in_, 0);
        } else if (errno == EAGAIN) {
            side_.in = false;
        } else if (errno != EINTR) {
            return Io::error;
        }
    }
    return Io::ok;
}

TlsEnd::Io TlsEnd::flush() {
    for (;;) {
        if (sent_ == pending_.size()) {
            pending_.clear();
            sent_ = 0;
            char buf[16384];
            const int n = BIO_read(out_, buf, sizeof buf);
            if (n <= 0) return Io::ok;
            pending_.assign(buf, size_t(n));
        }
        if (!side_.out) return Io::ok;
        const ssize_t n = ::send(side_.fd, pending_.data() + sent_, pending_.size() - sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) sent_ += size_t(n);
        if (n < 0 && errno == EAGAIN) side_.out = false;
        if (n < 0 && errno != EAGAIN && errno != EINTR) return Io::error;
    }
}

size_t TlsEnd::unsent() const { return pending_.size() - sent_ + size_t(BIO_ctrl_pending(out_)); }

TlsEnd::Step TlsEnd::failed(int rc) {
    const int e = SSL_get_error(ssl_.get(), rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (!eof_) return Step::again;
        why_ = "closed";
    } else if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
        why_ = "closed";
    } else {
        why_ = common::openssl_errors("TLS error");
    }
    ERR_clear_error();
    return Step::failed;
}

TlsEnd::Step TlsEnd::handshake() {
    const int rc = SSL_do_handshake(ssl_.get());
    return rc == 1 ? Step::done : failed(rc);
}

TlsEnd::Step TlsEnd::read(std::string& out, std::span<char> scratch, size_t max) {
    size_t got = 0;
    while (got < max) {
        const int n = SSL_read(ssl_.get(), scratch.data(), int(std::min(scratch.size(), max - got)));
        if (n > 0) {
            out.append(scratch.data(), size_t(n));
            got += size_t(n);
            continue;
        }
        const Step s = failed(n);
        if (s == Step::again) return got ? Step::done : Step::again;
        // A clean close (close_notify or end of stream) ends this direction.
        if (why_ == "closed") {
            closed_ = true;
            return Step::done;
        }
        return Step::failed;
    }
    return Step::done;
}

bool TlsEnd::write(std::string_view data) {
    if (data.empty()) return true;
    return SSL_write(ssl_.get(), data.data(), int(data.size())) == int(data.size());
}

void TlsEnd::close_notify() {
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
}

}  // namespace vigil::web_threat
