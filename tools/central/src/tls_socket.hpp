#pragma once
// A TLS stream for Asio/Beast that runs OpenSSL directly on the non-blocking socket and uses
// Asio's reactor only to wait for readiness. asio::ssl::stream keeps two 17 KiB buffers per
// connection plus a 34 KiB BIO pair; here, with SSL_MODE_RELEASE_BUFFERS, an idle
// connection holds only OpenSSL's session state, which is what lets one node keep 10,000
// long-polling agents connected. Meets Beast's AsyncReadStream/AsyncWriteStream: one
// operation of each kind at a time, all on the socket's executor (a strand).
#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cstddef>
#include <utility>

namespace vigil::central {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

class TlsSocket {
public:
    using executor_type = tcp::socket::executor_type;
    enum class Want { done, read, write, error };

    // Takes a connected socket (accepted, or connected by a client: `client` true, as the
    // benchmark's simulated agents do); throws std::runtime_error when OpenSSL cannot make a
    // session.
    TlsSocket(tcp::socket socket, SSL_CTX* ctx, bool client = false);
    ~TlsSocket();
    TlsSocket(const TlsSocket&) = delete;
    TlsSocket& operator=(const TlsSocket&) = delete;

    executor_type get_executor() { return socket_.get_executor(); }
    tcp::socket& tcp_socket() { return socket_; }
    SSL* ssl() { return ssl_; }

    // One non-blocking attempt each: done (n set), a readiness to wait for, or an error.
    Want try_handshake(error_code& ec);
    Want try_read(void* data, size_t size, size_t& n, error_code& ec);
    Want try_write(const void* data, size_t size, size_t& n, error_code& ec);
    // Sends close_notify if the socket takes it now (never waits), then closes the socket.
    void close();

    template <class Handler>
    auto async_handshake(Handler&& handler) {
        return net::async_compose<Handler, void(error_code)>(
            Op<HandshakeAttempt, false>{*this, HandshakeAttempt{}}, handler, socket_);
    }

    template <class MutableBuffers, class Handler>
    auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
        net::mutable_buffer target;
        for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
            if (net::mutable_buffer(*it).size() > 0) {
                target = *it;
                break;
            }
        }
        return net::async_compose<Handler, void(error_code, std::size_t)>(
            Op<ReadAttempt, true>{*this, ReadAttempt{target}}, handler, socket_);
    }

    template <class ConstBuffers, class Handler>
    auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
        return net::async_compose<Handler, void(error_code, std::size_t)>(
            Op<WriteAttempt<ConstBuffers>, true>{*this, WriteAttempt<ConstBuffers>{buffers}}, handler,
            socket_);
    }

private:
    // Small pieces of a buffer sequence (an HTTP head and a short body) are copied into one
    // record of at most this size instead of a record each.
    static constexpr size_t kCoalesceBytes = 16 * 1024;
    static char* staging();  // per thread, kCoalesceBytes

    Want classify(int ret, error_code& ec);

    struct HandshakeAttempt {
        Want operator()(TlsSocket& s, size_t&, error_code& ec) { return s.try_handshake(ec); }
    };
    struct ReadAttempt {
        net::mutable_buffer target;
        Want operator()(TlsSocket& s, size_t& n, error_code& ec) {
            if (target.size() == 0) return Want::done;
            return s.try_read(target.data(), target.size(), n, ec);
        }
    };
    // OpenSSL wants a retried write repeated with the same length; the staging copy may move
    // (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER), so it is refilled from the sequence each time.
    template <class ConstBuffers>
    struct WriteAttempt {
        ConstBuffers buffers;
        size_t length = 0;
        bool coalesce = false;
        Want operator()(TlsSocket& s, size_t& n, error_code& ec) {
            auto first = net::buffer_sequence_begin(buffers);
            if (length == 0) {
                length = net::buffer_size(buffers);
                if (length == 0) return Want::done;
                const size_t head =
                    first == net::buffer_sequence_end(buffers) ? 0 : net::const_buffer(*first).size();
                coalesce = head < kCoalesceBytes && head < length;
                length = coalesce ? std::min(length, kCoalesceBytes) : head;
            }
            if (!coalesce) return s.try_write(net::const_buffer(*first).data(), length, n, ec);
            net::buffer_copy(net::buffer(staging(), length), buffers);
            return s.try_write(staging(), length, n, ec);
        }
    };

    // Runs Attempt until it is done, waiting for readiness in between. A result on the very
    // first attempt is posted, never delivered inside the initiating call.
    template <class Attempt, bool WithSize>
    struct Op {
        TlsSocket& s;
        Attempt attempt;
        bool waited = false;
        bool posted = false;
        error_code result;
        size_t n = 0;

        template <class Self>
        void operator()(Self& self, error_code ec = {}) {
            if (!posted && !ec) {
                switch (attempt(s, n, result)) {
                    case Want::read:
                        waited = true;
                        return s.socket_.async_wait(tcp::socket::wait_read, std::move(self));
                    case Want::write:
                        waited = true;
                        return s.socket_.async_wait(tcp::socket::wait_write, std::move(self));
                    case Want::done:
                    case Want::error:
                        break;
                }
                if (!waited) {
                    posted = true;
                    return net::post(s.socket_.get_executor(), std::move(self));
                }
            } else if (ec) {
                result = ec;
                n = 0;
            }
            if constexpr (WithSize) {
                self.complete(result, n);
            } else {
                self.complete(result);
            }
        }
    };

    tcp::socket socket_;
    SSL* ssl_ = nullptr;
};

}  // namespace vigil::central
