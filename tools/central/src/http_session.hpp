#pragma once
// One client connection of the event-driven server, driven by completion handlers on the
// connection's strand; no thread is ever parked on it. Its life:
//   TLS handshake (deadline) → wait for a request (keep-alive timeout, no buffer held) →
//   head (deadline from its first byte, size limit) → head checks and admission (identity)
//   → body (streamed into memory under the global budget, or spooled to disk for uploads,
//   at a minimum average rate) → the API on the worker pool, or a long poll that is only a
//   timer plus a TaskBroker subscription → the answer (a minimum rate again) → next request.
// A refused request is answered before its body is read, then the connection closes; an
// authenticated one first reads and discards a little (bounded, few connections at once) so
// the client sees the answer instead of a reset (session_write.cpp).
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api_error.hpp"
#include "server_context.hpp"
#include "tls_socket.hpp"

namespace vigil::central {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(ServerContext& ctx, tcp::socket socket, ConnectionLimits::Ticket ticket);
    ~HttpSession();
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;

    void start();
    // Server shutdown: closes the connection if it is idle, else after the current answer.
    void shutdown();

private:
    using Clock = std::chrono::steady_clock;
    using HeadParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;
    using BodyParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;
    enum class Phase { handshake, idle, head, admission, body, api, poll, write, linger, closed };

    // Connection and head (http_session.cpp).
    void evict();  // the handshake's slot went to a newcomer (ConnectionLimits)
    void on_handshake(error_code ec);
    void wait_request();
    void read_head();
    void on_head(error_code ec);
    void admit();
    void on_admitted(std::optional<Response> refusal);
    void send_continue();
    void dispatch();
    void close();
    // Counted in ServerContext::busy from admission to the end of the answer (shutdown waits).
    void begin_busy();
    void end_busy();

    // Deadlines: one timer; a late expiry of an old arming is ignored.
    void arm(Clock::time_point deadline);
    void disarm();
    void on_timeout();
    Clock::time_point rate_deadline(Clock::time_point since, uint64_t bytes) const;

    // Body (session_body.cpp).
    void start_body();
    void read_body_chunk();
    void on_body_chunk(error_code ec);
    bool open_spool();
    void finish_body();

    // Long poll (session_poll.cpp).
    void start_poll();
    void poll_step(PollStep step);
    void on_poll_wake(uint64_t round);
    void on_poll_deadline();
    void run_poll(const PollWait& wait);

    // Answer (session_write.cpp).
    void refuse(const ApiError& error);
    void respond(Response response);
    void log_answer(const Response& response) const;
    void on_written(error_code ec);
    void linger();
    void on_linger_read(error_code ec, size_t n);

    ServerContext& ctx_;
    // Declared before the socket so it is destroyed after it: the address's slot frees only once
    // its connection is closed, never while a newcomer could already take it.
    ConnectionLimits::Ticket ticket_;
    TlsSocket stream_;
    boost::asio::steady_timer timer_;
    std::string peer_;
    Phase phase_ = Phase::handshake;
    uint64_t timer_generation_ = 0;
    bool timed_out_ = false;
    bool evicted_ = false;
    bool stop_requested_ = false;
    bool busy_ = false;
    bool answer_keeps_alive_ = false;
    bool counted_ = false;  // the answer was counted in the API's metrics (handle() does it)
    Clock::time_point request_start_{};

    boost::beast::flat_buffer buffer_;
    std::optional<HeadParser> head_parser_;
    std::optional<BodyParser> body_parser_;
    Request request_;
    MemoryReservation memory_;
    bool has_body_ = false;
    bool body_done_ = false;   // the body (if any) was read to its end
    bool keep_alive_ = false;  // the client wants the connection kept
    bool expect_continue_ = false;
    unsigned version_ = 11;  // HTTP version of the request, answered in kind

    // Body sinks: memory (request_.body) or a spool file for uploads.
    std::string body_;
    size_t chunk_offset_ = 0;
    size_t chunk_size_ = 0;
    std::unique_ptr<char[]> spool_chunk_;
    int spool_fd_ = -1;
    std::string spool_path_;
    uint64_t body_bytes_ = 0;
    Clock::time_point body_start_{};

    // Long poll in progress.
    std::optional<PollWait> poll_;
    uint64_t poll_subscription_ = 0;
    uint64_t poll_round_ = 0;  // wake-ups of an earlier round are stale

    std::shared_ptr<void> response_;  // the message being written
    std::unique_ptr<char[]> drain_;
    uint64_t drained_ = 0;
    bool lingering_ = false;  // counted in ServerContext::lingering
};

}  // namespace vigil::central
