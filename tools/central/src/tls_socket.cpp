#include "tls_socket.hpp"

#include <openssl/err.h>

#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <stdexcept>

namespace vigil::central {

TlsSocket::TlsSocket(tcp::socket socket, SSL_CTX* ctx, bool client) : socket_(std::move(socket)) {
    ssl_ = SSL_new(ctx);
    if (!ssl_) throw std::runtime_error("SSL_new failed");
    // Idle connections give their record buffers back; a retried write may come from a
    // different copy of the same bytes; a write may complete record by record.
    SSL_set_mode(
        ssl_, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
    error_code ec;
    socket_.non_blocking(true, ec);
    if (ec || SSL_set_fd(ssl_, socket_.native_handle()) != 1) {
        SSL_free(ssl_);
        throw std::runtime_error("cannot attach TLS to the socket");
    }
    if (client) {
        SSL_set_connect_state(ssl_);
    } else {
        SSL_set_accept_state(ssl_);
    }
}

TlsSocket::~TlsSocket() {
    if (ssl_) SSL_free(ssl_);
}

char* TlsSocket::staging() {
    thread_local char buffer[kCoalesceBytes];
    return buffer;
}

TlsSocket::Want TlsSocket::classify(int ret, error_code& ec) {
    const int err = SSL_get_error(ssl_, ret);
    switch (err) {
        case SSL_ERROR_WANT_READ:
            return Want::read;
        case SSL_ERROR_WANT_WRITE:
            return Want::write;
        case SSL_ERROR_ZERO_RETURN:
            ec = net::error::eof;
            return Want::error;
        case SSL_ERROR_SYSCALL:
            if (unsigned long e = ERR_get_error()) {
                ec = error_code(static_cast<int>(e), net::error::get_ssl_category());
            } else if (errno != 0 && errno != EAGAIN) {
                ec = error_code(errno, boost::system::system_category());
            } else {
                ec = net::error::eof;  // the peer closed without close_notify
            }
            return Want::error;
        default: {
            unsigned long e = ERR_peek_last_error();
            ec = e ? error_code(static_cast<int>(e), net::error::get_ssl_category()) : net::error::eof;
            return Want::error;
        }
    }
}

TlsSocket::Want TlsSocket::try_handshake(error_code& ec) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_do_handshake(ssl_);
    return r == 1 ? Want::done : classify(r, ec);
}

TlsSocket::Want TlsSocket::try_read(void* data, size_t size, size_t& n, error_code& ec) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_read_ex(ssl_, data, size, &n);
    return r == 1 ? Want::done : classify(r, ec);
}

TlsSocket::Want TlsSocket::try_write(const void* data, size_t size, size_t& n, error_code& ec) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_write_ex(ssl_, data, size, &n);
    return r == 1 ? Want::done : classify(r, ec);
}

void TlsSocket::close() {
    if (socket_.is_open()) {
        // One non-blocking attempt: a peer that is not reading does not get to delay us.
        if (SSL_is_init_finished(ssl_)) {
            ERR_clear_error();
            SSL_shutdown(ssl_);
        }
        ERR_clear_error();
        error_code ignored;
        socket_.close(ignored);
    }
}

}  // namespace vigil::central
