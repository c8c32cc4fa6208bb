#pragma once
// Accepts connections for the event-driven server. Each accepted socket gets its own strand;
// the connection limits decide at once whether it may stay (over a limit it is closed, with
// a rate-limited log line). When the process runs out of descriptors it pauses briefly
// instead of spinning.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "server_context.hpp"
#include "tls_socket.hpp"

namespace vigil::central {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Binds (SO_REUSEADDR, never SO_REUSEPORT: a second server on the port must fail) and
    // listens; throws boost::system::system_error when it cannot.
    Listener(net::io_context& io, ServerContext& ctx, const tcp::endpoint& endpoint);
    void start();
    void stop();  // closes the listening socket (call on any thread)

private:
    void accept();
    void on_accept(error_code ec, tcp::socket socket);

    net::io_context& io_;
    ServerContext& ctx_;
    tcp::acceptor acceptor_;
    net::steady_timer pause_;
};

}  // namespace vigil::central
