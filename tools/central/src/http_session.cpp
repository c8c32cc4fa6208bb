#include "http_session.hpp"

#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <fstream>
#include <limits>

#include "client_trust.hpp"
#include "request_head.hpp"

namespace vigil::central {

namespace http = boost::beast::http;

HttpSession::HttpSession(ServerContext& ctx, tcp::socket socket, ConnectionLimits::Ticket ticket)
    : ctx_(ctx),
      ticket_(std::move(ticket)),
      stream_(std::move(socket), ctx.tls),
      timer_(stream_.get_executor()),
      peer_(ticket_.address()),
      memory_(&ctx.budget) {}

HttpSession::~HttpSession() {
    if (spool_fd_ >= 0) ::close(spool_fd_);
    if (!spool_path_.empty()) ::unlink(spool_path_.c_str());
    ctx_.remove(this);
}

void HttpSession::start() {
    ctx_.add(this, shared_from_this());
    // When every handshake slot is taken, this one may be ended to give its slot to a
    // newcomer from an address holding fewer (ConnectionLimits).
    ticket_.on_evict([weak = weak_from_this(), ex = stream_.get_executor()] {
        net::post(ex, [weak] {
            if (auto self = weak.lock()) self->evict();
        });
    });
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        self->arm(Clock::now() + self->ctx_.transport.handshake_timeout);
        self->stream_.async_handshake([self](error_code ec) { self->on_handshake(ec); });
    });
}

void HttpSession::shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        self->stop_requested_ = true;
        if (self->phase_ == Phase::idle || self->phase_ == Phase::handshake) self->close();
    });
}

void HttpSession::evict() {
    if (phase_ != Phase::handshake) return;  // finished meanwhile: nothing to give back
    evicted_ = true;
    ctx_.client_errors.log("connection error: TLS handshake with " + peer_ +
                           " ended unfinished: its slot went to a newer connection (server.max_handshakes reached)");
    close();
}

void HttpSession::on_handshake(error_code ec) {
    ticket_.handshake_done();
    if (evicted_) return close();
    if (ec) {
        // Failed handshakes (no or untrusted client certificate, old protocol, plain HTTP on
        // the TLS port, a peer too slow) are worth a line: they are why an agent cannot
        // connect. Rate-limited: anyone can cause them.
        if (ec != net::error::eof || !timed_out_)
            ctx_.client_errors.log(
                "connection error: TLS handshake with " + peer_ + ": " +
                (timed_out_ ? std::string("not finished in time") : printable(ec.message())));
        return close();
    }
    wait_request();
}

// Between requests nothing is read and no buffer is held: the socket is only watched.
void HttpSession::wait_request() {
    phase_ = Phase::idle;
    head_parser_.reset();
    body_parser_.reset();
    request_ = Request{};
    memory_.reset();
    body_.clear();
    body_.shrink_to_fit();
    has_body_ = body_done_ = expect_continue_ = counted_ = false;
    request_start_ = {};
    poll_.reset();
    if (stop_requested_ || ctx_.stopping) return close();
    if (buffer_.size() > 0 || SSL_pending(stream_.ssl()) > 0) return read_head();
    buffer_.shrink_to_fit();
    arm(Clock::now() + ctx_.transport.keep_alive_timeout);
    stream_.tcp_socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
        if (ec || self->timed_out_) return self->close();
        self->read_head();
    });
}

void HttpSession::read_head() {
    phase_ = Phase::head;
    arm(Clock::now() + ctx_.transport.header_timeout);
    buffer_.max_size(ctx_.transport.header_limit + 4096);
    head_parser_.emplace();
    head_parser_->header_limit(static_cast<std::uint32_t>(ctx_.transport.header_limit));
    // No limit yet: the endpoint's own is checked once the head is known. (Not boost::none:
    // Beast 1.74 compares sizes with the optional, and every size is larger than none.)
    head_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    http::async_read_header(stream_, buffer_, *head_parser_,
                            [self = shared_from_this()](error_code ec, size_t) { self->on_head(ec); });
}

void HttpSession::on_head(error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        (ec && timed_out_ && buffer_.size() == 0))
        return close();
    if (timed_out_) return refuse(ApiError(408, "the request head did not arrive in time"));
    if (ec == http::error::header_limit)
        return refuse(ApiError(
            431, "the request head exceeds " + std::to_string(ctx_.transport.header_limit) + " bytes"));
    if (ec) return refuse(ApiError(400, "malformed HTTP request: " + ec.message()));
    disarm();
    request_start_ = Clock::now();
    const auto& head = head_parser_->get();
    version_ = head.version();
    keep_alive_ = head.keep_alive();
    std::optional<uint64_t> length;
    if (auto l = head_parser_->content_length()) length = *l;
    has_body_ = head_parser_->chunked() || length.value_or(0) > 0;
    body_done_ = !has_body_;
    const auto expect = head[http::field::expect];
    expect_continue_ = !expect.empty();
    if (expect_continue_ && !boost::beast::iequals(expect, "100-continue"))
        return refuse(ApiError(417, "only Expect: 100-continue is understood"));
    try {
        request_ = make_request(head, length);
    } catch (const ApiError& e) {
        return refuse(e);
    }
    if (auto refusal = check_head(request_, has_body_, ctx_.api)) return refuse(*refusal);
    // Who the peer is comes from the verified certificate of this connection only.
    request_.peer = identify_peer(SSL_get0_peer_certificate(stream_.ssl()), ctx_.agent_ca, peer_);
    admit();
}

// Identity next, still before the body: on the worker pool (it may consult storage).
void HttpSession::admit() {
    phase_ = Phase::admission;
    begin_busy();
    net::post(ctx_.workers, [self = shared_from_this()] {
        std::optional<Response> refusal = self->ctx_.api.admit(self->request_);
        net::post(self->stream_.get_executor(),
                  [self, refusal = std::move(refusal)]() mutable { self->on_admitted(std::move(refusal)); });
    });
}

void HttpSession::on_admitted(std::optional<Response> refusal) {
    if (refusal) {
        keep_alive_ = keep_alive_ && body_done_;
        return respond(std::move(*refusal));
    }
    if (!has_body_) return dispatch();
    if (expect_continue_) return send_continue();
    start_body();
}

void HttpSession::send_continue() {
    phase_ = Phase::write;
    auto msg = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
    response_ = msg;
    arm(Clock::now() + ctx_.transport.header_timeout);
    http::async_write(stream_, *msg, [self = shared_from_this()](error_code ec, size_t) {
        self->response_.reset();
        if (ec || self->timed_out_) return self->close();
        self->start_body();
    });
}

void HttpSession::dispatch() {
    head_parser_.reset();  // everything needed is in request_; a waiting poll keeps no parser
    if (Api::is_poll(request_)) return start_poll();
    phase_ = Phase::api;
    counted_ = true;
    request_.memory = &memory_;
    net::post(ctx_.workers, [self = shared_from_this()] {
        Response response;
        {
            std::ifstream upload;
            if (!self->spool_path_.empty()) {
                upload.open(self->spool_path_, std::ios::binary);
                self->request_.body_stream = &upload;
            }
            response = self->ctx_.api.handle(self->request_);
            self->request_.body_stream = nullptr;
        }
        net::post(self->stream_.get_executor(),
                  [self, response = std::move(response)]() mutable { self->respond(std::move(response)); });
    });
}

void HttpSession::close() {
    if (phase_ == Phase::closed) return;
    end_busy();
    phase_ = Phase::closed;
    disarm();
    if (poll_ && poll_subscription_) ctx_.broker.cancel(poll_->agent_id, poll_subscription_);
    if (lingering_) --ctx_.lingering;
    lingering_ = false;
    stream_.close();
}

void HttpSession::begin_busy() {
    if (!busy_) ++ctx_.busy;
    busy_ = true;
}

void HttpSession::end_busy() {
    if (busy_) --ctx_.busy;
    busy_ = false;
}

void HttpSession::arm(Clock::time_point deadline) {
    timed_out_ = false;
    const uint64_t generation = ++timer_generation_;
    timer_.expires_at(deadline);
    timer_.async_wait([self = shared_from_this(), generation](error_code ec) {
        if (ec || generation != self->timer_generation_) return;
        self->on_timeout();
    });
}

void HttpSession::disarm() {
    ++timer_generation_;
    timer_.cancel();
}

void HttpSession::on_timeout() {
    timed_out_ = true;
    if (phase_ == Phase::poll) return on_poll_deadline();
    // The pending read, write or wait ends with operation_aborted; its handler sees timed_out_.
    error_code ignored;
    stream_.tcp_socket().cancel(ignored);
}

HttpSession::Clock::time_point HttpSession::rate_deadline(Clock::time_point since, uint64_t bytes) const {
    const auto& t = ctx_.transport;
    auto allowed = t.rate_grace + std::chrono::seconds(bytes / std::max<uint64_t>(t.min_rate, 1));
    return since + std::min<Clock::duration>(allowed, t.body_timeout);
}

}  // namespace vigil::central
