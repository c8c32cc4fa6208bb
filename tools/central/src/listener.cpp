#include "listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "http_session.hpp"

namespace vigil::central {

Listener::Listener(net::io_context& io, ServerContext& ctx, const tcp::endpoint& endpoint)
    : io_(io), ctx_(ctx), acceptor_(net::make_strand(io)), pause_(acceptor_.get_executor()) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(4096);
}

void Listener::start() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void Listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        error_code ignored;
        self->acceptor_.close(ignored);
        self->pause_.cancel();
    });
}

void Listener::accept() {
    acceptor_.async_accept(net::make_strand(io_),
                           [self = shared_from_this()](error_code ec, tcp::socket socket) {
                               self->on_accept(ec, std::move(socket));
                           });
}

void Listener::on_accept(error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
        ctx_.client_errors.log("accept: " + ec.message());
        if (ec == net::error::no_descriptors || ec.value() == ENFILE || ec == net::error::no_buffer_space) {
            pause_.expires_after(std::chrono::milliseconds(100));
            pause_.async_wait([self = shared_from_this()](error_code e) {
                if (!e) self->accept();
            });
            return;
        }
        return accept();
    }
    error_code addr_ec;
    auto address = socket.remote_endpoint(addr_ec).address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    const std::string peer = addr_ec ? std::string("?") : address.to_string();
    ConnectionLimits::Ticket ticket;
    const char* refused_by = nullptr;
    ConnectionLimits::Abort evicted;
    const bool admitted = !ctx_.stopping && ctx_.limits.admit(peer, ticket, refused_by, evicted);
    if (evicted) evicted();  // an older handshake gave its slot to this connection
    if (!admitted) {
        if (refused_by)
            ctx_.client_errors.log("connection from " + peer + " refused: " + refused_by + " reached");
        error_code ignored;
        socket.close(ignored);
        return accept();
    }
    try {
        std::make_shared<HttpSession>(ctx_, std::move(socket), std::move(ticket))->start();
    } catch (const std::exception& e) {
        ctx_.client_errors.log(std::string("connection from ") + peer + ": " + e.what());
    }
    accept();
}

}  // namespace vigil::central
